package dev.knoe.scoring.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.scoring.ScoringException;
import dev.knoe.scoring.model.Signature;
import dev.knoe.scoring.model.TensorSpec;
import dev.knoe.scoring.tensor.DType;
import dev.knoe.scoring.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing straight into direct buffers, shapes from nesting, and the messages of bad input. */
class ScoreCodecTest {

  static final Signature THREE_D =
      new Signature(
          List.of(new TensorSpec("x", DType.FP32, new long[] {-1, 2, 3})),
          List.of(new TensorSpec("y", DType.FP32, new long[] {-1})));

  @Test
  void nestedArraysBecomeADirectBufferWithTheirShape() {
    Map<String, Tensor> in =
        ScoreCodec.decode(bytes("{\"data\": [[[1,2,3],[4,5,6]],[[7,8,9],[10,11,12.5]]]}"), THREE_D);
    Tensor x = in.get("x");
    assertArrayEquals(new long[] {2, 2, 3}, x.shape());
    assertTrue(x.data().isDirect());
    assertEquals(12.5f, x.data().getFloat(11 * 4));
  }

  @Test
  void rowsViewSharesMemory() {
    Tensor x =
        ScoreCodec.decode(bytes("{\"data\": [[[1,2,3],[4,5,6]],[[7,8,9],[10,11,12]]]}"), THREE_D)
            .get("x");
    Tensor second = x.rows(1, 2);
    assertArrayEquals(new long[] {1, 2, 3}, second.shape());
    assertEquals(7f, second.data().getFloat(0));
  }

  @Test
  void raggedAtAnyDepthIsRefused() {
    var e =
        assertThrows(
            ScoringException.class,
            () ->
                ScoreCodec.decode(
                    bytes("{\"data\": [[[1,2,3],[4,5,6]],[[7,8,9],[10,11]]]}"), THREE_D));
    assertEquals(
        "input 'x' is ragged: arrays at depth 3 have lengths 3 and 2; a tensor needs equal lengths",
        e.getMessage());
  }

  @Test
  void absurdNestingIsRefusedWithoutAStackOverflow() {
    String deep = "[".repeat(5000) + "1" + "]".repeat(5000);
    var e =
        assertThrows(
            ScoringException.class,
            () -> ScoreCodec.decode(bytes("{\"data\": " + deep + "}"), THREE_D));
    assertEquals(400, e.status());
  }

  @Test
  void outputsAreWrittenNestedBySingleOrKeyedByName() {
    Tensor y = ScoreCodec.decode(bytes("{\"data\": [[[1,2,3],[4,5,6]]]}"), THREE_D).get("x");
    assertEquals(
        "[[[1.0,2.0,3.0],[4.0,5.0,6.0]]]",
        new String(ScoreCodec.encode(Map.of("y", y)), StandardCharsets.UTF_8));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
