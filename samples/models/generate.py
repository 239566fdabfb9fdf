"""Generate the sample ONNX models served by Knoe, plus requests and expected outputs.

Creates (relative to this script's folder, so it works from any directory):
  model-1/model/model.onnx  linear regression, input "input" FLOAT [batch,10] -> "output" FLOAT [batch,1]
  model-2/model/model.onnx  same signature, other weights (the "green" version)
  mlp/model/model.onnx      MLP 256->1024->1024->10 with Softmax, "input" -> "probabilities" FLOAT [batch,10]
  image/model/model.onnx    a large input: "input" FLOAT [batch,3,224,224] (an RGB image) -> GlobalAveragePool
                            -> Gemm 3->1000 -> Softmax -> "probabilities" FLOAT [batch,1000]; cheap to run,
                            so what a request costs is mostly moving 602 KB in and 4 KB out
  ../requests/model-1.json, ../requests/mlp.json   request bodies
  <name>/expected.json      {"request": ..., "response": ...} computed independently with numpy (float32)

Run: /usr/bin/python3 samples/models/generate.py   (needs onnx and numpy; deterministic)
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from image_input import image_input

HERE = os.path.dirname(os.path.abspath(__file__))
REQUESTS = os.path.join(HERE, "..", "requests")

# Fixed weights for the two linear regressions; all exactly representable in float32 (dyadic),
# so integer requests give exact outputs regardless of summation order.
W1 = np.array([0.5, -0.25, 0.75, -0.5, 0.25, -0.75, 1.0, -1.0, 0.125, -0.125], dtype=np.float32).reshape(10, 1)
B1 = np.array([0.5], dtype=np.float32)
W2 = np.array([1.0, 0.5, 0.25, 0.125, -0.125, -0.25, -0.5, -1.0, 2.0, -2.0], dtype=np.float32).reshape(10, 1)
B2 = np.array([-1.5], dtype=np.float32)


def save(model, path):
    model.ir_version = 8
    onnx.checker.check_model(model)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    onnx.save(model, path)


def write_json(obj, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f)
        f.write("\n")


def opset_model(graph):
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="knoe-samples")


def linear_model(w, b, name):
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["input", "W"], ["xw"]), helper.make_node("Add", ["xw", "B"], ["output"])],
        name,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 10])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 1])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")],
    )
    return opset_model(graph)


def mlp_model():
    rng = np.random.default_rng(42)
    sizes = [(256, 1024), (1024, 1024), (1024, 10)]
    weights = [((rng.standard_normal((i, o)) / np.sqrt(i)).astype(np.float32), np.zeros(o, np.float32)) for i, o in sizes]
    inits, nodes, x = [], [], "input"
    for k, (w, b) in enumerate(weights):
        inits += [numpy_helper.from_array(w, f"W{k}"), numpy_helper.from_array(b, f"B{k}")]
        nodes.append(helper.make_node("Gemm", [x, f"W{k}", f"B{k}"], [f"h{k}"]))
        x = f"h{k}"
        if k < len(weights) - 1:
            nodes.append(helper.make_node("Relu", [x], [f"r{k}"]))
            x = f"r{k}"
    nodes.append(helper.make_node("Softmax", [x], ["probabilities"], axis=-1))
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 256])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 10])],
        inits,
    )
    return opset_model(graph), weights


def mlp_forward(x, weights):
    for k, (w, b) in enumerate(weights):
        x = x @ w + b
        if k < len(weights) - 1:
            x = np.maximum(x, 0)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def image_model():
    rng = np.random.default_rng(224)
    w = rng.standard_normal((3, 1000)).astype(np.float32)
    b = (rng.standard_normal(1000) * 0.1).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("GlobalAveragePool", ["input"], ["pooled"]),
            helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
            helper.make_node("Gemm", ["flat", "W", "B"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1),
        ],
        "image",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 224, 224])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 1000])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")],
    )
    return opset_model(graph), w, b


def image_forward(x, w, b):
    logits = x.mean(axis=(2, 3)) @ w + b
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def to_list(a):
    return [[float(v) for v in row] for row in np.asarray(a, dtype=np.float32)]


def main():
    lin_request = {"data": [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]]}
    write_json(lin_request, os.path.join(REQUESTS, "model-1.json"))
    x = np.array(lin_request["data"], dtype=np.float32)
    for name, w, b in [("model-1", W1, B1), ("model-2", W2, B2)]:
        save(linear_model(w, b, name), os.path.join(HERE, name, "model", "model.onnx"))
        write_json({"request": lin_request, "response": to_list(x @ w + b)}, os.path.join(HERE, name, "expected.json"))

    model, weights = mlp_model()
    save(model, os.path.join(HERE, "mlp", "model", "model.onnx"))
    data = np.round(np.random.default_rng(7).standard_normal((2, 256)), 4)
    mlp_request = {"data": [[float(v) for v in row] for row in data]}
    write_json(mlp_request, os.path.join(REQUESTS, "mlp.json"))
    probs = mlp_forward(np.array(mlp_request["data"], dtype=np.float32), weights)
    write_json({"request": mlp_request, "response": to_list(probs)}, os.path.join(HERE, "mlp", "expected.json"))

    model, w, b = image_model()
    save(model, os.path.join(HERE, "image", "model", "model.onnx"))
    x = image_input()
    write_json({"request": "input FLOAT [1,3,224,224]: x[0,c,h,w] = ((224*h + w) % 256) / 255 - 0.5 + 0.1*c"
                " (generate.py image_input)", "response": to_list(image_forward(x, w, b))},
               os.path.join(HERE, "image", "expected.json"))


if __name__ == "__main__":
    main()
