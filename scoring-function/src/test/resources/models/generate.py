"""Generate small ONNX test models (and numpy-computed expected outputs) for scoring-function tests.

Writes into this script's folder (works from any directory):
  multi/   inputs a,b FLOAT [N,3] -> outputs sum=a+b, prod=a*b FLOAT [N,3]
  types/   one input/output pair per datatype (DOUBLE, INT64, INT32, INT8, UINT8, INT16, BOOL, FLOAT16, STRING)
  fixed/   model-1 linear regression with FIXED shapes input [1,10] -> output [1,1] (no dynamic batch)
  scalar/  x FLOAT [N,4] -> y FLOAT [N] = ReduceSum(x, axis 1, keepdims=0)
  corrupt/ model.onnx holding 64 bytes that are not a valid ONNX protobuf
  range/   step INT64 [1] -> y INT64 [M] = Range(0, 10, step): ONNX Runtime refuses a zero step, so a
           warm-up with zeros fails; range-sample/ is the same model beside a sample-request.json
Each <name>/expected.json is either {"request": {"data": ...}, "response": ...} (single input/output)
or V2 style {"inputs": {name: values}, "outputs": {name: values}}.

Run: /usr/bin/python3 scoring-function/src/test/resources/models/generate.py   (needs onnx, numpy)
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto as T, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
vi = helper.make_tensor_value_info

# Same weights as samples/models/model-1 (exactly representable in float32).
W1 = np.array([0.5, -0.25, 0.75, -0.5, 0.25, -0.75, 1.0, -1.0, 0.125, -0.125], dtype=np.float32).reshape(10, 1)
B1 = np.array([0.5], dtype=np.float32)


def save(name, nodes, inputs, outputs, inits=()):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="knoe-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    os.makedirs(os.path.join(HERE, name), exist_ok=True)
    onnx.save(model, os.path.join(HERE, name, "model.onnx"))


def write_expected(name, obj):
    with open(os.path.join(HERE, name, "expected.json"), "w") as f:
        json.dump(obj, f)
        f.write("\n")


def multi():
    save("multi",
         [helper.make_node("Add", ["a", "b"], ["sum"]), helper.make_node("Mul", ["a", "b"], ["prod"])],
         [vi("a", T.FLOAT, ["N", 3]), vi("b", T.FLOAT, ["N", 3])],
         [vi("sum", T.FLOAT, ["N", 3]), vi("prod", T.FLOAT, ["N", 3])])
    a = np.array([[1, 2, 3], [4, 5, 6]], np.float32)
    b = np.array([[0.5, -1, 2], [10, 0.25, -3]], np.float32)
    write_expected("multi", {"inputs": {"a": a.tolist(), "b": b.tolist()},
                             "outputs": {"sum": (a + b).tolist(), "prod": (a * b).tolist()}})


def types():
    ident = [("i32", T.INT32), ("i8", T.INT8), ("u8", T.UINT8), ("i16", T.INT16), ("f16", T.FLOAT16)]
    nodes = [helper.make_node("Mul", ["f64", "two"], ["f64_out"]),
             helper.make_node("Add", ["i64", "one"], ["i64_out"]),
             helper.make_node("Not", ["flag"], ["flag_out"]),
             helper.make_node("Cast", ["f16"], ["f16_as_f32"], to=T.FLOAT),
             helper.make_node("Identity", ["text"], ["text_out"])]
    nodes += [helper.make_node("Identity", [n], [n + "_out"]) for n, _ in ident]
    in_types = [("f64", T.DOUBLE), ("i64", T.INT64), ("flag", T.BOOL)] + ident
    inputs = [vi(n, t, ["N", 2]) for n, t in in_types] + [vi("text", T.STRING, ["N"])]
    outputs = [vi(n + "_out", t, ["N", 2]) for n, t in in_types] + [
        vi("f16_as_f32", T.FLOAT, ["N", 2]), vi("text_out", T.STRING, ["N"])]
    inits = [numpy_helper.from_array(np.array(2.0, np.float64), "two"),
             numpy_helper.from_array(np.array(1, np.int64), "one")]
    save("types", nodes, inputs, outputs, inits)

    x = {"f64": np.array([[1.5, -2.25], [1e10, 0.1]], np.float64),
         "i64": np.array([[1, -2], [9007199254740993, -9007199254740993]], np.int64),  # beyond 2^53
         "i32": np.array([[2147483647, -2147483648], [0, 42]], np.int32),
         "i8": np.array([[127, -128], [0, -1]], np.int8),
         "u8": np.array([[0, 255], [128, 7]], np.uint8),
         "i16": np.array([[32767, -32768], [1, -1]], np.int16),
         "flag": np.array([[True, False], [False, True]]),
         "f16": np.array([[0.5, 1.25], [-2.0, 3.0]], np.float16),
         "text": np.array(["hello", "wörld ✓"], object)}
    out = {"f64_out": x["f64"] * 2, "i64_out": x["i64"] + 1, "flag_out": np.logical_not(x["flag"]),
           "f16_as_f32": x["f16"].astype(np.float32)}
    out.update({n + "_out": x[n] for n in ["i32", "i8", "u8", "i16", "f16", "text"]})
    write_expected("types", {"inputs": {k: v.tolist() for k, v in x.items()},
                             "outputs": {k: v.tolist() for k, v in out.items()}})


def fixed():
    save("fixed",
         [helper.make_node("MatMul", ["input", "W"], ["xw"]), helper.make_node("Add", ["xw", "B"], ["output"])],
         [vi("input", T.FLOAT, [1, 10])], [vi("output", T.FLOAT, [1, 1])],
         [numpy_helper.from_array(W1, "W"), numpy_helper.from_array(B1, "B")])
    request = {"data": [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]}
    write_expected("fixed", {"request": request,
                             "response": (np.array(request["data"], np.float32) @ W1 + B1).tolist()})


def scalar():
    save("scalar", [helper.make_node("ReduceSum", ["x", "axes"], ["y"], keepdims=0)],
         [vi("x", T.FLOAT, ["N", 4])], [vi("y", T.FLOAT, ["N"])],
         [numpy_helper.from_array(np.array([1], np.int64), "axes")])
    request = {"data": [[1, 2, 3, 4], [0.5, -0.5, 0.25, 0.75], [-1, -2, -3, 10]]}
    write_expected("scalar", {"request": request,
                              "response": np.array(request["data"], np.float32).sum(axis=1).tolist()})


def range_models():
    nodes = [helper.make_node("Squeeze", ["step"], ["delta"]),
             helper.make_node("Range", ["start", "limit", "delta"], ["y"])]
    inits = [numpy_helper.from_array(np.array(0, np.int64), "start"),
             numpy_helper.from_array(np.array(10, np.int64), "limit")]
    for name in ("range", "range-sample"):
        save(name, nodes, [vi("step", T.INT64, [1])], [vi("y", T.INT64, ["M"])], inits)
        request = {"data": [3]}
        write_expected(name, {"request": request, "response": np.arange(0, 10, 3).tolist()})
    with open(os.path.join(HERE, "range-sample", "sample-request.json"), "w") as f:
        json.dump({"data": [5]}, f)
        f.write("\n")


def corrupt():
    os.makedirs(os.path.join(HERE, "corrupt"), exist_ok=True)
    with open(os.path.join(HERE, "corrupt", "model.onnx"), "wb") as f:
        f.write(b"not an onnx model".ljust(64, b"!"))


if __name__ == "__main__":
    multi(); types(); fixed(); scalar(); range_models(); corrupt()
