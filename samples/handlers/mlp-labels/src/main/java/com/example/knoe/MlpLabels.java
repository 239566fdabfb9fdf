package com.example.knoe;

import dev.knoe.spi.HandlerContext;
import dev.knoe.spi.Model;
import dev.knoe.spi.ScoringHandler;
import dev.knoe.spi.ScoringRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Pre- and post-processing around the {@code mlp} classifier: takes rows of 256 features (scaled by
 * an optional {@code "scale"}), runs the model, and answers each row with its label, its
 * probability and the top 3 labels, instead of ten bare probabilities.
 */
public final class MlpLabels implements ScoringHandler {

  private static final List<String> DEFAULT_LABELS =
      List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");

  private Model model;
  private String input;
  private int features;
  private List<String> labels;

  @Override
  public void init(HandlerContext context) {
    model = context.model();
    var only = model.inputs().entrySet().iterator().next();
    input = only.getKey();
    features = (int) only.getValue().shape()[1];
    String configured = context.environment().get("MLP_LABELS");
    labels = configured == null ? DEFAULT_LABELS : Arrays.asList(configured.split(","));
  }

  @Override
  public Object run(ScoringRequest request) throws Exception {
    if (!(request.json() instanceof Map<?, ?> body) || !(body.get("data") instanceof List<?> rows) || rows.isEmpty()) {
      throw new IllegalArgumentException("expected {\"data\": [[" + features + " numbers], ...], \"scale\": optional number}");
    }
    double scale = body.get("scale") instanceof Number n ? n.doubleValue() : 1.0;
    float[][] x = new float[rows.size()][features];
    for (int r = 0; r < rows.size(); r++) {
      if (!(rows.get(r) instanceof List<?> row) || row.size() != features) {
        throw new IllegalArgumentException("row " + r + " must hold " + features + " numbers");
      }
      for (int c = 0; c < features; c++) {
        x[r][c] = (float) (((Number) row.get(c)).doubleValue() * scale);
      }
    }
    float[][] probabilities = (float[][]) model.predict(Map.of(input, x)).values().iterator().next();
    List<Object> answer = new ArrayList<>();
    for (float[] p : probabilities) {
      List<Integer> order = IntStream.range(0, p.length).boxed()
          .sorted(Comparator.comparingDouble((Integer i) -> p[i]).reversed()).toList();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("label", labels.get(order.get(0)));
      row.put("probability", p[order.get(0)]);
      row.put("top3", order.subList(0, 3).stream().map(i -> Map.of("label", labels.get(i), "probability", p[i])).toList());
      answer.add(row);
    }
    return answer;
  }
}
