package dev.knoe.scoring.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.knoe.scoring.ScoringException;
import dev.knoe.scoring.tensor.Tensor;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reads one JSON value (a scalar or nested arrays) into a {@link ValueSink} and works out its shape
 * on the way, refusing ragged arrays: {@code [[1,2],[3]]} and {@code [[1],2]} are not tensors.
 */
final class NestedArrays {

  private static final int MAX_RANK = 16;

  private final ValueSink sink;
  private final long[] dims = new long[MAX_RANK];
  private int rank = -1; // depth of the scalars, once the first one is seen
  private int deepestArray = -1;

  private NestedArrays(ValueSink sink) {
    this.sink = sink;
    Arrays.fill(dims, -1);
  }

  /** Reads the value at the parser's current token; the parser ends on its last token. */
  static Tensor read(JsonParser p, ValueSink sink) throws IOException {
    NestedArrays reader = new NestedArrays(sink);
    reader.value(p, 0);
    int rank = reader.rank >= 0 ? reader.rank : reader.deepestArray + 1;
    long[] shape = Arrays.copyOf(reader.dims, rank);
    if (sink.count == 0) {
      throw ScoringException.badInput("input '%s' holds no values", sink.input);
    }
    return sink.finish(shape);
  }

  private void value(JsonParser p, int depth) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_ARRAY) {
      if (depth >= MAX_RANK || (rank >= 0 && depth >= rank)) {
        throw ragged(depth);
      }
      deepestArray = Math.max(deepestArray, depth);
      long n = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        if (p.currentToken() == null) {
          throw ScoringException.badInput("input '%s': the JSON ends inside an array", sink.input);
        }
        value(p, depth + 1);
        n++;
      }
      if (dims[depth] < 0) {
        dims[depth] = n;
      } else if (dims[depth] != n) {
        throw ScoringException.badInput(
            "input '%s' is ragged: arrays at depth %d have lengths %d and %d; a tensor needs equal lengths",
            sink.input, depth + 1, dims[depth], n);
      }
    } else if (t == JsonToken.START_OBJECT) {
      throw sink.wrong(p);
    } else {
      if (rank < 0) {
        rank = depth;
      } else if (rank != depth) {
        throw ragged(depth);
      }
      sink.add(p);
    }
  }

  private ScoringException ragged(int depth) {
    return depth >= MAX_RANK
        ? ScoringException.badInput(
            "input '%s' is nested deeper than %d levels", sink.input, MAX_RANK)
        : ScoringException.badInput(
            "input '%s' is ragged: it mixes values and arrays at the same depth (%d)",
            sink.input, depth + 1);
  }

  /** Expected element count from a spec's shape, dynamic dimensions counted as 1. */
  static int expectedElements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= Math.max(1, d);
    }
    return (int) Math.min(n, Integer.MAX_VALUE);
  }
}
