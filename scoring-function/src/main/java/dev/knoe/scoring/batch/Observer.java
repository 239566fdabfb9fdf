package dev.knoe.scoring.batch;

/** What the inference path reports for metrics; one implementation feeds Micrometer. */
public interface Observer {

  /** One ONNX Runtime run of {@code requests} requests, {@code rows} rows in all. */
  void ran(int requests, long rows, long nanos);

  Observer NONE = (requests, rows, nanos) -> {};
}
