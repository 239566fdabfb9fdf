#!/usr/bin/env python3
"""Calls a Knoe scoring function, or the router in front of it, with tritonclient.http as a
third-party client does, and checks every answer against values computed here with numpy.

Usage: tritonclient_check.py URL MODEL CASE [--header NAME=VALUE]...
  URL     host:port, with the router's path prefix when there is one: 127.0.0.1:8080/endpoints/ep
  MODEL   the model name in /v2/models/<MODEL>/infer
  CASE    types   the test model 'types' (FP64 INT64 INT32 INT8 UINT8 INT16 BOOL FP16 BYTES in,
                  the same and FP32 out): binary and JSON inputs and outputs, mixed, and all
          multi   the test model 'multi' (FP32 a, b -> sum, prod)
          model-1 samples/models/model-1 (FP32 [N,10] -> [N,1]), as the router serves it
Prints one line per request; on the first wrong answer prints what differs and exits 1.
The Java tests run it with the venv .ci/run makes (PythonClient.java).
"""
import sys

import numpy as np
import tritonclient.http as httpclient

# samples/models/model-1's weights (samples/models/generate.py)
W1 = np.array([0.5, -0.25, 0.75, -0.5, 0.25, -0.75, 1.0, -1.0, 0.125, -0.125],
              dtype=np.float32).reshape(10, 1)
B1 = np.array([0.5], dtype=np.float32)


def types_case():
    x = {"f64": np.array([[1.5, -2.25], [1e10, 0.1], [-0.0, 7.0]], np.float64),
         "i64": np.array([[1, -2], [9007199254740993, -9007199254740993], [2**62, -(2**63)]], np.int64),
         "i32": np.array([[2147483647, -2147483648], [0, 42], [7, -7]], np.int32),
         "i8": np.array([[127, -128], [0, -1], [5, 6]], np.int8),
         "u8": np.array([[0, 255], [128, 7], [1, 2]], np.uint8),
         "i16": np.array([[32767, -32768], [1, -1], [300, -300]], np.int16),
         "flag": np.array([[True, False], [False, True], [True, True]]),
         "f16": np.array([[0.5, 1.25], [-2.0, 3.0], [65504.0, 0.000061035]], np.float16),
         "text": np.array(["hello".encode(), "wörld ✓".encode(), b""], object)}
    y = {"f64_out": x["f64"] * 2, "i64_out": x["i64"] + np.int64(1),
         "flag_out": np.logical_not(x["flag"]), "f16_as_f32": x["f16"].astype(np.float32)}
    y.update({n + "_out": x[n] for n in ["i32", "i8", "u8", "i16", "f16", "text"]})
    return x, y


def multi_case():
    a = np.array([[1, 2, 3], [4, 5, 6]], np.float32)
    b = np.array([[0.5, -1, 2], [10, 0.25, -3.1]], np.float32)
    return {"a": a, "b": b}, {"sum": a + b, "prod": a * b}


def model1_case():
    x = np.array([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
                  [0.5, -1.5, 2.25, 0, 0, 0, 1e3, -1e3, 3, 4]], np.float32)
    return {"input": x}, {"output": x @ W1 + B1}


CASES = {"types": types_case, "multi": multi_case, "model-1": model1_case}

DTYPES = {np.dtype(np.float64): "FP64", np.dtype(np.float32): "FP32", np.dtype(np.float16): "FP16",
          np.dtype(np.int64): "INT64", np.dtype(np.int32): "INT32", np.dtype(np.int16): "INT16",
          np.dtype(np.int8): "INT8", np.dtype(np.uint8): "UINT8", np.dtype(np.bool_): "BOOL",
          np.dtype(object): "BYTES"}


def request(client, model, headers, x, y, binary_in, binary_out, label):
    """binary_in / binary_out: name -> bool; binary_out None asks for no outputs by name, so
    tritonclient sets parameters.binary_data_output and every output comes back binary."""
    inputs = []
    for name, value in x.items():
        i = httpclient.InferInput(name, list(value.shape), DTYPES[value.dtype])
        i.set_data_from_numpy(value, binary_data=binary_in(name))
        inputs.append(i)
    outputs = None if binary_out is None else [
        httpclient.InferRequestedOutput(name, binary_data=binary_out(name)) for name in y]
    # A copy: tritonclient writes Inference-Header-Content-Length into the dict it is given, and a
    # stale one would go with the next (all-JSON) request.
    result = client.infer(model, inputs, outputs=outputs, headers=dict(headers),
                          request_id="check-1")
    response = result.get_response()
    if response.get("id") != "check-1":
        fail(label, "id", "check-1", response.get("id"))
    for out in response["outputs"]:
        sent_binary = "binary_data_size" in out.get("parameters", {})
        wanted = True if binary_out is None else binary_out(out["name"])
        if sent_binary != wanted:
            fail(label, out["name"], "binary" if wanted else "JSON", "binary" if sent_binary else "JSON")
    for name, expected in y.items():
        got = result.as_numpy(name)
        if got is None:
            fail(label, name, "an output", "none")
        if expected.dtype == object:
            same = got.shape == expected.shape and [bytes(v) if not isinstance(v, str) else v.encode()
                                                    for v in got.ravel()] == list(expected.ravel())
        else:
            same = got.dtype == expected.dtype and np.array_equal(got, expected)
        if not same:
            fail(label, name, f"{expected.dtype} {expected.tolist()}", f"{got.dtype} {got.tolist()}")
    print(f"ok {label}: {len(y)} outputs as numpy computes them")


def fail(label, name, expected, got):
    print(f"FAIL {label}: {name}: expected {expected}, got {got}")
    sys.exit(1)


def main(argv):
    args = [a for a in argv if not a.startswith("--header")]
    headers = {}
    for i, a in enumerate(argv):
        if a == "--header":
            k, v = argv[i + 1].split("=", 1)
            headers[k] = v
            args.remove(argv[i + 1])
    url, model, case = args
    x, y = CASES[case]()
    names = list(x)
    outs = list(y)
    with httpclient.InferenceServerClient(url) as client:
        everything = lambda _: True
        nothing = lambda _: False
        request(client, model, headers, x, y, everything, everything, "binary in, binary out")
        request(client, model, headers, x, y, everything, None, "binary in, binary_data_output")
        request(client, model, headers, x, y, nothing, nothing, "JSON in, JSON out")
        if len(names) > 1:
            request(client, model, headers, x, y, lambda n: names.index(n) % 2 == 0,
                    lambda n: outs.index(n) % 2 == 1, "mixed binary and JSON")


if __name__ == "__main__":
    main(sys.argv[1:])
