"""What `course grade` asks lesson 01's answers on inputs drawn at grading time (see course.grading.judging).
`course grade` 在评阅时抽取的输入上向第 01 课的答案提出的问题（见 course.grading.judging）。

``inputs_<grade_id>(rng)`` runs in the grader; ``observe_<grade_id>(ns, **inputs)`` runs in the
learner's kernel and in the reference kernel, ``ns`` being the notebook's globals, and returns plain
data. Observe what the tests check: values, types, shapes, inputs left unchanged.
"""

import math

import numpy as np

TOLERANCES = {"ex01_best_cubic": (1e-6, 1e-9), "ex01_stable_lr": (1e-6, 0.0)}


def _array(value):
    """A float array of ``value`` and whether it was an ndarray / 浮点数组，以及它原本是否为 ndarray"""
    return {"ndarray": isinstance(value, np.ndarray), "values": np.asarray(value, dtype=float)}


def inputs_ex01_predict(rng):
    return {"x": rng.uniform(-3.0, 3.0, size=int(rng.integers(5, 40))), "w": rng.normal(size=4)}


def observe_ex01_predict(ns, x, w):
    predict, x = ns["predict"], np.asarray(x)
    w = np.asarray(w)
    seen = {form: _array(predict(x.copy(), value)) for form, value in (("tuple", tuple(w)), ("list", list(w)), ("array", w.copy()))}
    # One non-zero coefficient at a time / 每次只有一个非零系数
    seen["powers"] = [np.asarray(predict(x.copy(), [float(k == j) for j in range(4)]), dtype=float) for k in range(4)]
    return seen


def inputs_ex01_loss(rng):
    size = int(rng.integers(3, 60))
    return {"y_pred": rng.normal(size=size), "y": rng.normal(size=size)}


def observe_ex01_loss(ns, y_pred, y):
    loss = ns["sum_squared_error"]
    y_pred_in, y_in = y_pred.copy(), y.copy()
    value = loss(y_pred_in, y_in)
    return {
        "is_float": isinstance(value, float | np.floating),
        "value": float(value),
        "zero": float(loss(y.copy(), y.copy())),
        "inputs_unchanged": bool(np.array_equal(y_pred_in, y_pred) and np.array_equal(y_in, y)),
    }


def inputs_ex01_gradients(rng):
    size = int(rng.integers(5, 50))
    x = rng.uniform(-math.pi, math.pi, size=size)
    return {"x": x, "y": np.sin(x) + 0.1 * rng.normal(size=size), "w": rng.normal(size=4)}


def observe_ex01_gradients(ns, x, y, w):
    gradients = ns["gradients"]
    return {"array": _array(gradients(x.copy(), y.copy(), w.copy())), "list_w": _array(gradients(x.copy(), y.copy(), list(w)))}


def inputs_ex01_fit(rng):
    x = rng.uniform(-2.0, 2.0, size=int(rng.integers(10, 40)))
    return {"x": x, "y": np.sin(x), "w0": rng.normal(size=4), "lr": float(rng.uniform(5e-4, 2e-3)), "steps": int(rng.integers(5, 30))}


def observe_ex01_fit(ns, x, y, w0, lr, steps):
    fit = ns["fit"]
    start = w0.copy()
    w, losses = fit(x, y, start, lr=lr, steps=steps)
    seen = {"w": _array(w), "losses": np.asarray(losses, dtype=float), "w0_unchanged": bool(np.array_equal(start, w0))}
    w_tuple, _ = fit(x, y, tuple(w0), lr=lr, steps=steps)
    seen["tuple_w0"] = _array(w_tuple)
    # The defaults (lr = 1e-6, steps = 2000), on wider data so that lr matters / 默认参数，数据范围更大以便学习率起作用
    w_default, losses_default = fit(3.0 * x, y, w0.copy())
    seen["defaults"] = {"w": _array(w_default), "losses": np.asarray(losses_default, dtype=float)}
    w_none, losses_none = fit(x, y, w0.copy(), steps=0)
    seen["no_steps"] = {"w": _array(w_none), "losses": len(losses_none)}
    return seen


def inputs_ex01_best_cubic(rng):
    size = int(rng.integers(8, 60))
    return {"x": rng.uniform(-1.5, 1.5, size=size), "y": rng.normal(size=size)}


def observe_ex01_best_cubic(ns, x, y):
    x_lesson = np.linspace(-math.pi, math.pi, 2000)
    best_cubic = ns["best_cubic"]
    return {"random": np.asarray(best_cubic(x, y), dtype=float), "lesson": np.asarray(best_cubic(x_lesson, np.sin(x_lesson)), dtype=float)}


def inputs_ex01_stable_lr(rng):
    return {"x": rng.uniform(-1.0, 1.0, size=int(rng.integers(4, 40))) * float(rng.uniform(0.5, 3.0))}


def observe_ex01_stable_lr(ns, x):
    limit = ns["max_stable_lr"](x.copy())
    return {"is_float": isinstance(limit, float | np.floating), "value": float(limit)}
