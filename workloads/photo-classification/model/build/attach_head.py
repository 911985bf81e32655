"""Append the trained food head to the zero-shot classifier: one ONNX graph, one session per batch.

The head reads the pooled features the zero-shot layer reads (the input of its Gemm):
food_score = sigmoid(features · w + b), shape [N]. The zero-shot graph's own `food_score` (the
ImageNet food-class sum) is renamed `zero_shot_score` and kept, with `probabilities`, so the
baseline is still there to measure; the worker fetches `food_score`, whichever graph it loads.

Usage: attach_head.py ZERO_SHOT.onnx HEAD.json OUT.onnx
"""

import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def attach(model, weights, bias):
    graph = model.graph
    for node in graph.node:
        node.output[:] = ["zero_shot_score" if o == "food_score" else o for o in node.output]
        node.input[:] = ["zero_shot_score" if i == "food_score" else i for i in node.input]
    for output in graph.output:
        if output.name == "food_score":
            output.name = "zero_shot_score"
    gemm = next(n for n in graph.node if n.op_type == "Gemm")
    features = gemm.input[0]
    width = weights.shape[0]
    graph.initializer.extend(
        [
            numpy_helper.from_array(weights.reshape(width, 1).astype(np.float32), "food_head_w"),
            numpy_helper.from_array(np.array([bias], np.float32), "food_head_b"),
            numpy_helper.from_array(np.array([1], np.int64), "food_head_axis"),
        ]
    )
    graph.node.extend(
        [
            helper.make_node("Gemm", [features, "food_head_w", "food_head_b"], ["food_head_logit"]),
            helper.make_node("Sigmoid", ["food_head_logit"], ["food_head_2d"]),
            helper.make_node("Squeeze", ["food_head_2d", "food_head_axis"], ["food_score"]),
        ]
    )
    graph.output.append(helper.make_tensor_value_info("food_score", TensorProto.FLOAT, ["batch"]))
    model.doc_string = (
        "EfficientNet-Lite0 (ImageNet) with a trained food / not-food head (food_score) and the "
        "zero-shot ImageNet food-class sum (zero_shot_score); see MODEL.md"
    )
    onnx.checker.check_model(model, full_check=True)
    return model


def main(argv):
    if len(argv) != 4:
        sys.exit(f"usage: {argv[0]} ZERO_SHOT.onnx HEAD.json OUT.onnx")
    with open(argv[2]) as f:
        head = json.load(f)
    model = attach(onnx.load(argv[1]), np.array(head["weights"], np.float64), float(head["bias"]))
    onnx.save(model, argv[3])
    print(f"wrote {argv[3]}: food_score from a {len(head['weights'])}-feature head, zero_shot_score kept")


if __name__ == "__main__":
    main(sys.argv)
