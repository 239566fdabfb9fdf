"""Request bodies for bench/oip.sh: one V2 inference request per model, as JSON and as binary
tensor data (Triton's binary_tensor_data extension), with the same input values.

  python bodies.py OUT_DIR MODEL[:NAME]...     (models: mlp, image; NAME: the V2 model name the
                                               server answers to, in the gRPC message; default MODEL)

Writes OUT_DIR/<model>.json, OUT_DIR/<model>.bin and OUT_DIR/<model>.bin.hlen (the value of the
Inference-Header-Content-Length header), and OUT_DIR/<model>.grpc.bin (a serialized
ModelInferRequest with raw_input_contents, for ghz -B: a JSON template would cost ghz more CPU per
call than the server spends). Run with the tests' venv (numpy, tritonclient's generated messages).
"""
import json
import os
import sys

import numpy as np
from tritonclient.grpc import service_pb2

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "samples", "models"))


def inputs(model):
    if model == "mlp":
        return "input", np.random.default_rng(7).standard_normal((1, 256)).astype(np.float32)
    if model == "image":
        from image_input import image_input  # the sample's own rule: its answer is in expected.json

        return "input", image_input()
    raise SystemExit("unknown model " + model)


def main():
    out, models = sys.argv[1], sys.argv[2:]
    for arg in models:
        model, _, served_as = arg.partition(":")
        name, x = inputs(model)
        shape = list(x.shape)
        with open(os.path.join(out, model + ".json"), "w") as f:
            json.dump({"inputs": [{"name": name, "shape": shape, "datatype": "FP32",
                                   "data": [float(v) for v in x.flatten()]}]}, f)
        raw = x.astype("<f4").tobytes()
        header = json.dumps({
            "inputs": [{"name": name, "shape": shape, "datatype": "FP32",
                        "parameters": {"binary_data_size": len(raw)}}],
            "parameters": {"binary_data_output": True},
        }).encode()
        with open(os.path.join(out, model + ".bin"), "wb") as f:
            f.write(header + raw)
        with open(os.path.join(out, model + ".bin.hlen"), "w") as f:
            f.write(str(len(header)))
        request = service_pb2.ModelInferRequest(model_name=served_as or model)
        tensor = request.inputs.add()
        tensor.name, tensor.datatype = name, "FP32"
        tensor.shape.extend(shape)
        request.raw_input_contents.append(raw)
        with open(os.path.join(out, model + ".grpc.bin"), "wb") as f:
            f.write(request.SerializeToString())


if __name__ == "__main__":
    main()
