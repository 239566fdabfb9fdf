package dev.knoe.scoring.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.knoe.scoring.ScoringException;
import java.io.IOException;

/** The one JSON factory of the hot path, with the fast number parser and writer switched on. */
public final class Json {

  public static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
          .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
          .build();

  private Json() {}

  /** A parser positioned on the first token of an object body, or a 400 saying what is wrong. */
  static JsonParser objectParser(byte[] body) throws IOException {
    return objectParser(body, 0, body.length);
  }

  /** The same for the bytes {@code [offset, offset + length)} of {@code body}. */
  static JsonParser objectParser(byte[] body, int offset, int length) throws IOException {
    JsonParser p = FACTORY.createParser(body, offset, length);
    JsonToken first = p.nextToken();
    if (first != JsonToken.START_OBJECT) {
      throw ScoringException.badInput(
          first == null
              ? "the request body is empty; send a JSON object"
              : "the request body must be a JSON object, it starts with " + first.asString());
    }
    return p;
  }

  /** Turns a Jackson syntax error into a 400 with the position. */
  static ScoringException malformed(IOException e) {
    if (e instanceof JsonParseException || e instanceof StreamConstraintsException) {
      String msg = e.getMessage();
      int marker = msg.indexOf(" (start marker");
      msg = marker > 0 ? msg.substring(0, marker) : msg;
      int nl = msg.indexOf('\n');
      String where =
          e instanceof JsonParseException jpe && jpe.getLocation() != null
              ? " (line "
                  + jpe.getLocation().getLineNr()
                  + ", column "
                  + jpe.getLocation().getColumnNr()
                  + ")"
              : "";
      return ScoringException.badInput(
          "malformed JSON%s: %s", where, nl > 0 ? msg.substring(0, nl) : msg);
    }
    return ScoringException.badInput("unreadable request body: %s", e.getMessage());
  }

  /** Skips to the end of the value at the current token. */
  static void skip(JsonParser p) throws IOException {
    p.skipChildren();
  }
}
