"""Drives the scoring function's gRPC Open Inference Protocol with tritonclient, a client that is
not ours, and checks every answer against numpy.

    grpc_client.py HOST:PORT types      the types test model: every datatype its signature has
    grpc_client.py HOST:PORT model-1 KEY  an FP32 model behind KNOE_AUTH=required
    grpc_client.py HOST:PORT router ENDPOINT MODEL KEY DEPLOYMENT
                                        model-1 through knoe serve's router: the endpoint named
                                        in the knoe-endpoint header, the endpoint's key

Exits 0 when every check passed; otherwise prints what differed and exits 1.
"""

import json
import os
import sys
import time

import numpy as np
import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException

failures = []
checks = 0


def check(what, ok, detail=""):
    global checks
    checks += 1
    if not ok:
        failures.append(f"{what}: {detail}")


def same(what, expected, actual):
    ok = (actual is not None and expected.dtype == actual.dtype and expected.shape == actual.shape
          and np.array_equal(expected, actual))
    check(what, ok, f"expected {expected.dtype}{list(expected.shape)} {expected.tolist()}, got "
          + ("nothing" if actual is None else f"{actual.dtype}{list(actual.shape)} {actual.tolist()}"))


def status_of(call):
    try:
        call()
        return "OK"
    except InferenceServerException as e:
        return e.status()


# The types model (src/test/resources/models/generate.py): one input per datatype, shape [N, 2]
# (text: [N]); what numpy computes for each output.
TYPES = {"f64": ("FP64", np.float64), "i64": ("INT64", np.int64), "i32": ("INT32", np.int32),
         "i8": ("INT8", np.int8), "u8": ("UINT8", np.uint8), "i16": ("INT16", np.int16),
         "flag": ("BOOL", np.bool_), "f16": ("FP16", np.float16), "text": ("BYTES", np.object_)}


def types_expected(x):
    out = {"f64_out": x["f64"] * 2, "i64_out": x["i64"] + np.int64(1),
           "flag_out": np.logical_not(x["flag"]), "f16_as_f32": x["f16"].astype(np.float32)}
    out.update({n + "_out": x[n] for n in ["i32", "i8", "u8", "i16", "f16", "text"]})
    return out


def types_inputs(rows, rng):
    x = {}
    for name, (_, dtype) in TYPES.items():
        if name == "text":
            x[name] = np.array([f"row {i} wörld ✓".encode() for i in range(rows)], dtype=np.object_)
        elif dtype == np.bool_:
            x[name] = rng.integers(0, 2, (rows, 2)).astype(np.bool_)
        elif np.issubdtype(dtype, np.integer):
            info = np.iinfo(dtype)
            x[name] = rng.integers(info.min, info.max, (rows, 2), dtype=dtype, endpoint=True)
        else:
            x[name] = (rng.standard_normal((rows, 2)) * 100).astype(dtype)
    return x


def request(x):
    inputs = []
    for name, arr in x.items():
        i = grpcclient.InferInput(name, list(arr.shape), TYPES[name][0])
        i.set_data_from_numpy(arr)
        inputs.append(i)
    return inputs


def run_types(client):
    check("server live", client.is_server_live())
    check("server ready", client.is_server_ready())
    check("model ready", client.is_model_ready("types"))
    check("server metadata", client.get_server_metadata().name == "knoe-scoring-function")
    meta = client.get_model_metadata("types")
    datatypes = {t.name: t.datatype for t in meta.inputs}
    check("metadata datatypes", datatypes == {n: t for n, (t, _) in TYPES.items()}, str(datatypes))

    # The values of generate.py (int64 beyond 2^53, every integer type's extremes, non-ASCII text).
    x = {"f64": np.array([[1.5, -2.25], [1e10, 0.1]], np.float64),
         "i64": np.array([[1, -2], [9007199254740993, -9007199254740993]], np.int64),
         "i32": np.array([[2147483647, -2147483648], [0, 42]], np.int32),
         "i8": np.array([[127, -128], [0, -1]], np.int8),
         "u8": np.array([[0, 255], [128, 7]], np.uint8),
         "i16": np.array([[32767, -32768], [1, -1]], np.int16),
         "flag": np.array([[True, False], [False, True]]),
         "f16": np.array([[0.5, 1.25], [-2.0, 3.0]], np.float16),
         "text": np.array(["hello".encode(), "wörld ✓".encode()], np.object_)}
    result = client.infer("types", request(x), request_id="req-1")
    check("id echoed", result.get_response().id == "req-1", result.get_response().id)
    for name, want in types_expected(x).items():
        same(name, want, result.as_numpy(name))

    # Only the outputs asked for.
    asked = [grpcclient.InferRequestedOutput("i64_out"), grpcclient.InferRequestedOutput("text_out")]
    r = client.infer("types", request(x), outputs=asked)
    names = [o.name for o in r.get_response().outputs]
    check("requested outputs only", names == ["i64_out", "text_out"], str(names))

    # Concurrent requests of different sizes: the batcher merges and splits them.
    rng = np.random.default_rng(13)
    sent = []
    done = []
    for rows in [1, 3, 2, 5, 1, 4, 2, 7]:
        xs = types_inputs(rows, rng)
        sent.append(xs)
        done.append(None)
        k = len(sent) - 1

        def callback(result, error, k=k):
            done[k] = (result, error)

        client.async_infer("types", request(xs), callback)
    deadline = time.time() + 30
    while any(d is None for d in done) and time.time() < deadline:
        time.sleep(0.01)
    for k, xs in enumerate(sent):
        if done[k] is None:
            check(f"async {k}", False, "no answer in 30 s")
            continue
        result, error = done[k]
        check(f"async {k}", error is None, str(error))
        if error is None:
            for name, want in types_expected(xs).items():
                same(f"async {k} {name}", want, result.as_numpy(name))

    check("unknown model is NOT_FOUND",
          status_of(lambda: client.infer("nope", request(x))) == "StatusCode.NOT_FOUND")
    bad = request(x)
    bad[1] = grpcclient.InferInput("i64", [2, 2], "INT32")
    bad[1].set_data_from_numpy(x["i64"].astype(np.int32))
    check("wrong datatype is INVALID_ARGUMENT",
          status_of(lambda: client.infer("types", bad)) == "StatusCode.INVALID_ARGUMENT")


def run_model1(client, key):
    # model-1 (samples/models/model-1): FP32 [N, 10] -> FP32 [N, 1]; expected.json holds numpy's.
    samples = os.environ.get("KNOE_SAMPLES", "../samples")
    with open(os.path.join(samples, "models", "model-1", "expected.json")) as f:
        expected = json.load(f)
    data = np.array(expected["request"]["data"], np.float32)
    want = np.array(expected["response"], np.float32)
    meta = client.get_model_metadata("model-1", headers={"authorization": f"Bearer {key}"})
    i = grpcclient.InferInput(meta.inputs[0].name, list(data.shape), "FP32")
    i.set_data_from_numpy(data)
    check("no credential is UNAUTHENTICATED",
          status_of(lambda: client.infer("model-1", [i])) == "StatusCode.UNAUTHENTICATED")
    check("live without credential", client.is_server_live())
    r = client.infer("model-1", [i], headers={"authorization": f"Bearer {key}"})
    got = r.as_numpy(meta.outputs[0].name)
    check("model-1 output", got is not None and got.dtype == np.float32 and got.shape == want.shape
          and np.allclose(got, want, rtol=1e-5, atol=1e-5), f"expected {want.tolist()}, got {got}")


def run_router(client, endpoint, model, key, deployment):
    # Through knoe serve: every call names its endpoint in knoe-endpoint and carries its key; the
    # router checks the key, picks the deployment by traffic (or the header) and relays the call
    # over HTTP/2 to an instance, trailers and all.
    samples = os.environ.get("KNOE_SAMPLES", "../samples")
    with open(os.path.join(samples, "models", "model-1", "expected.json")) as f:
        expected = json.load(f)
    data = np.array(expected["request"]["data"], np.float32)
    want = np.array(expected["response"], np.float32)
    ok = {"knoe-endpoint": endpoint, "authorization": f"Bearer {key}"}
    check("server live through the router", client.is_server_live(headers=ok))
    check("model ready through the router", client.is_model_ready(model, headers=ok))
    meta = client.get_model_metadata(model, headers=ok)
    i = grpcclient.InferInput(meta.inputs[0].name, list(data.shape), "FP32")
    i.set_data_from_numpy(data)
    for what, headers in [("by traffic", ok),
                          ("by deployment header", dict(ok, **{"azureml-model-deployment": deployment}))]:
        r = client.infer(model, [i], headers=headers, request_id="via-router")
        got = r.as_numpy(meta.outputs[0].name)
        check(f"model-1 output {what}", got is not None and got.shape == want.shape
              and np.allclose(got, want, rtol=1e-5, atol=1e-5), f"expected {want.tolist()}, got {got}")
        check(f"id echoed {what}", r.get_response().id == "via-router", r.get_response().id)
    # The endpoint's name is a name of every deployment's model: the split may choose freely.
    r = client.infer(endpoint, [i], headers=ok)
    got = r.as_numpy(meta.outputs[0].name)
    check("model named by the endpoint's name", got is not None and np.allclose(got, want, rtol=1e-5,
          atol=1e-5), f"got {got}")
    refusals = [
        ("no credential is UNAUTHENTICATED", {"knoe-endpoint": endpoint}, "StatusCode.UNAUTHENTICATED"),
        ("a wrong key is UNAUTHENTICATED", dict(ok, authorization="Bearer nope"),
         "StatusCode.UNAUTHENTICATED"),
        ("an unknown endpoint is NOT_FOUND", dict(ok, **{"knoe-endpoint": "no-such-endpoint"}),
         "StatusCode.NOT_FOUND"),
        ("no endpoint header is NOT_FOUND", {"authorization": f"Bearer {key}"}, "StatusCode.NOT_FOUND"),
        ("an unknown deployment is NOT_FOUND", dict(ok, **{"azureml-model-deployment": "nope"}),
         "StatusCode.NOT_FOUND"),
    ]
    for what, headers, want_status in refusals:
        got_status = status_of(lambda: client.infer(model, [i], headers=headers))
        check(what, got_status == want_status, got_status)
    # An error the instance answers (a wrong shape) comes back with its own status and message.
    bad = grpcclient.InferInput(meta.inputs[0].name, [1, 3], "FP32")
    bad.set_data_from_numpy(np.zeros((1, 3), np.float32))
    got_status = status_of(lambda: client.infer(model, [bad], headers=ok))
    check("the instance's INVALID_ARGUMENT is relayed", got_status == "StatusCode.INVALID_ARGUMENT",
          got_status)


def main():
    url, case = sys.argv[1], sys.argv[2]
    client = grpcclient.InferenceServerClient(url=url)
    if case == "types":
        run_types(client)
    elif case == "router":
        run_router(client, *sys.argv[3:7])
    else:
        run_model1(client, sys.argv[3])
    client.close()
    for f in failures:
        print("FAILED", f)
    print(f"grpc_client {case}: {checks - len(failures)} of {checks} checks as expected")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
