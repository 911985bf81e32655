"""Train the food head: L2-regularised logistic regression on the CNN's pooled features.

The features are standardised and projected on their first COMPONENTS principal components
(computed on the training split, labels unused) before the fit, so each Newton step solves a
257-wide system instead of a 1281-wide one; standardisation, projection and the fitted weights
fold into one weight vector on the raw features, so the graph adds a single Gemm.

Only the training split is used to fit, to choose the regularisation (5-fold cross-validated ROC
AUC) and to choose the threshold (best balanced accuracy of the out-of-fold scores, so the
threshold is not tuned on scores the model has memorised). The held-out split is scored once, at
the end, for the figures. Deterministic: Newton's method in float64, folds from a seeded
generator. Classes are weighted to count equally.

The zero-shot baseline (the summed ImageNet food-class probabilities) is computed from the same
features with the zero-shot graph's own final layer, so both scores come from one feature pass.

Writes HEAD.json (weights and bias on the raw features, the standardisation folded in) and
FIGURES.json (seed, split sizes, regularisation, threshold, held-out figures of head and baseline).

Usage: train_head.py FEATURES ZERO_SHOT.onnx SEED HEAD.json FIGURES.json
  (FEATURES: the prefix features.ts wrote, FEATURES.f32 and FEATURES.json)
"""

import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper

FOLDS = 5
COMPONENTS = 256
PENALTIES = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0]


def load(prefix):
    with open(prefix + ".json") as f:
        index = json.load(f)
    x = np.fromfile(prefix + ".f32", dtype="<f4").astype(np.float64).reshape(len(index["photos"]), index["width"])
    y = np.array([p["label"] == "food" for p in index["photos"]], dtype=np.float64)
    held_out = np.array([p["split"] == "held-out" for p in index["photos"]])
    return x, y, held_out, index["photos"]


def fit(x, y, penalty, iterations=50):
    """Weighted L2 logistic regression by Newton's method; the bias is not penalised."""
    n, d = x.shape
    weight = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    a = np.hstack([x, np.ones((n, 1))])
    reg = np.full(d + 1, penalty)
    reg[-1] = 0.0
    w = np.zeros(d + 1)
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(a @ w)))
        grad = a.T @ (weight * (p - y)) / n + reg * w
        hess = (a.T * (weight * p * (1 - p))) @ a / n + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w[:-1], w[-1]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def roc_auc(scores, y):
    """The chance a random food photo outscores a random not-food one (ties count half)."""
    pos, neg = scores[y == 1], scores[y == 0]
    order = np.argsort(np.concatenate([pos, neg]), kind="stable")
    ranks = np.empty(len(order))
    values = np.concatenate([pos, neg])[order]
    i = 0
    while i < len(values):  # average ranks over ties
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def at_threshold(scores, y, threshold):
    predicted = scores >= threshold
    tp = int(np.sum(predicted & (y == 1)))
    fp = int(np.sum(predicted & (y == 0)))
    fn = int(np.sum(~predicted & (y == 1)))
    tn = int(np.sum(~predicted & (y == 0)))
    recall = tp / max(tp + fn, 1)
    return {
        "threshold": float(threshold),
        "precision": tp / max(tp + fp, 1),
        "recall": recall,
        "notFoodRecall": tn / max(tn + fp, 1),
        "balancedAccuracy": (recall + tn / max(tn + fp, 1)) / 2,
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
    }


def best_threshold(scores, y):
    """The threshold with the best balanced accuracy; the higher one on ties."""
    best, best_score = 1.0, -1.0
    for t in sorted(set(scores.tolist()), reverse=True):
        score = at_threshold(scores, y, t)["balancedAccuracy"]
        if score > best_score:
            best, best_score = t, score
    return float(best)


def zero_shot_scores(x, model_path):
    """softmax(features · fc_wᵀ + fc_b) · food_mask, with the zero-shot graph's own initialisers."""
    model = onnx.load(model_path)
    init = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    gemm = next(n for n in model.graph.node if n.op_type == "Gemm")
    matmul = next(n for n in model.graph.node if n.op_type == "MatMul" and n.input[0] == "probabilities")
    fc_w, fc_b, mask = init[gemm.input[1]], init[gemm.input[2]], init[matmul.input[1]]
    logits = x @ fc_w.T.astype(np.float64) + fc_b
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    return (p @ mask.astype(np.float64))[:, 0]


def main(argv):
    if len(argv) != 6:
        sys.exit(f"usage: {argv[0]} FEATURES ZERO_SHOT.onnx SEED HEAD.json FIGURES.json")
    prefix, zero_shot_model, seed, head_out, figures_out = argv[1], argv[2], int(argv[3]), argv[4], argv[5]
    x, y, held_out, photos = load(prefix)
    xt, yt = x[~held_out], y[~held_out]
    mean, std = xt.mean(axis=0), xt.std(axis=0) + 1e-6
    _, _, vt = np.linalg.svd((xt - mean) / std, full_matrices=False)
    # A principal direction's sign is arbitrary: fix it so the largest entry is positive.
    vt *= np.sign(vt[np.arange(len(vt)), np.argmax(np.abs(vt), axis=1)])[:, None]
    components = vt[:COMPONENTS].T
    zt = (xt - mean) / std @ components

    folds = np.random.default_rng(seed).permutation(len(yt)) % FOLDS
    cv = {}
    for penalty in PENALTIES:
        out_of_fold = np.empty(len(yt))
        for k in range(FOLDS):
            w, b = fit(zt[folds != k], yt[folds != k], penalty)
            out_of_fold[folds == k] = sigmoid(zt[folds == k] @ w + b)
        cv[penalty] = (roc_auc(out_of_fold, yt), out_of_fold)
    # The strongest penalty within 0.002 of the best AUC: the simpler head when the fit is no worse.
    best_auc = max(a for a, _ in cv.values())
    penalty = max(p for p, (a, _) in cv.items() if a >= best_auc - 0.002)
    threshold = best_threshold(cv[penalty][1], yt)

    w, b = fit(zt, yt, penalty)
    full = components @ w
    raw_w, raw_b = full / std, b - float(np.sum(full * mean / std))
    head = sigmoid(x @ raw_w + raw_b)
    zero_shot = zero_shot_scores(x, zero_shot_model)
    zero_shot_threshold = best_threshold(zero_shot[~held_out], yt)
    yh = y[held_out]

    figures = {
        "seed": seed,
        "split": {
            "train": {"food": int(yt.sum()), "notFood": int(len(yt) - yt.sum())},
            "heldOut": {"food": int(yh.sum()), "notFood": int(len(yh) - yh.sum())},
        },
        "head": {
            "kind": f"logistic regression on the pooled features' first {COMPONENTS} principal components, "
            "L2, classes weighted equally",
            "penalty": penalty,
            "crossValidatedAuc": {str(p): round(a, 4) for p, (a, _) in cv.items()},
            "threshold": round(threshold, 4),
            "thresholdFrom": "best balanced accuracy of 5-fold out-of-fold scores on the training split",
            "train": {"rocAuc": roc_auc(head[~held_out], yt)},
            "heldOut": {"rocAuc": roc_auc(head[held_out], yh), **at_threshold(head[held_out], yh, threshold)},
        },
        "zeroShot": {
            "kind": "sum of the softmax probabilities of the 65 ImageNet food classes",
            "heldOut": {
                "rocAuc": roc_auc(zero_shot[held_out], yh),
                "at0.5": at_threshold(zero_shot[held_out], yh, 0.5),
                "atTrainThreshold": at_threshold(zero_shot[held_out], yh, zero_shot_threshold),
            },
        },
        "heldOutMistakes": sorted(
            p["file"]
            for p, s, h, t in zip(photos, head, held_out, y)
            if h and (s >= threshold) != (t == 1)
        ),
    }
    with open(head_out, "w") as f:
        json.dump({"weights": raw_w.tolist(), "bias": raw_b}, f)
    with open(figures_out, "w") as f:
        json.dump(figures, f, indent=1)
        f.write("\n")
    h, z = figures["head"]["heldOut"], figures["zeroShot"]["heldOut"]
    print(
        f"train_head: penalty {penalty}, threshold {threshold:.4f}; held-out ROC AUC head {h['rocAuc']:.4f} "
        f"(P {h['precision']:.3f} R {h['recall']:.3f}), zero-shot {z['rocAuc']:.4f}"
    )


if __name__ == "__main__":
    main(sys.argv)
