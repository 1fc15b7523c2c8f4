"""What `course grade` asks lesson 03's answers on inputs drawn at grading time (see course.grading.judging).
`course grade` 在评阅时抽取的输入上向第 03 课的答案提出的问题（见 course.grading.judging）。

``inputs_<grade_id>(rng)`` runs in the grader; ``observe_<grade_id>(ns, **inputs)`` runs in the
learner's kernel and in the reference kernel, ``ns`` being the notebook's globals, and returns plain
data. Observe what the tests check: values, dtypes, requires_grad and .grad of the inputs and results,
backward() once per step.
"""

import numpy as np

# float64 throughout, compared as tightly as the tests do: finite differences are off / 全部为 float64，与测试同样严格：有限差分会被发现
TOLERANCES = {
    "ex03_fit_autograd": (1e-9, 1e-12),
    "ex03_derivative": (1e-11, 1e-13),
    "ex03_second_derivative": (1e-10, 1e-12),
}


def _device():
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _tensor(value):
    """Type, dtype, device type, autograd state and float64 values of ``value`` / 值的类型、dtype、设备、自动求导状态与 float64 数值"""
    import torch

    if not isinstance(value, torch.Tensor):
        return {"type": type(value).__name__}
    return {
        "type": "Tensor",
        "dtype": str(value.dtype),
        "device": value.device.type,
        "shape": list(value.shape),
        "requires_grad": bool(value.requires_grad),
        "grad_fn": value.grad_fn is not None,
        "values": value.detach().cpu().double().numpy(),
    }


def _untouched(x, values, requires_grad):
    """x keeps its values, its requires_grad and gets no .grad / x 的值、requires_grad 不变，也没有 .grad"""
    return {
        "values": bool(np.array_equal(x.detach().cpu().double().numpy(), values)),
        "requires_grad": bool(x.requires_grad) == requires_grad,
        "no_grad": x.grad is None,
    }


def _close32(result32, result64):
    """The float32 run: dtype, device, close to the float64 one / float32 的结果：dtype、设备、与 float64 的接近程度"""
    seen = _tensor(result32)
    values = seen.pop("values", None)
    expected = result64.get("values")
    same_shape = values is not None and expected is not None and values.shape == expected.shape
    return {**seen, "close": same_shape and bool(np.allclose(values, expected, rtol=1e-4, atol=1e-4))}


def inputs_ex03_fit_autograd(rng):
    size = int(rng.integers(8, 30))
    x = rng.uniform(-2.0, 2.0, size=size)
    return {
        "x": x,
        "y": np.sin(x) + 0.1 * rng.normal(size=size),
        "w0": rng.normal(size=4),
        "lr": float(rng.uniform(2e-4, 1e-3)),
        "steps": int(rng.integers(5, 25)),
    }


def observe_ex03_fit_autograd(ns, x, y, w0, lr, steps):
    import torch

    fit_autograd = ns["fit_autograd"]
    xt, yt = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    start = torch.tensor(w0, dtype=torch.float64)
    # Count backward() during the call, as the tests do / 与测试一样统计调用期间的 backward() 次数
    calls, original = [], torch.Tensor.backward

    def counted(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    torch.Tensor.backward = counted
    try:
        w, losses = fit_autograd(xt, yt, start, lr=lr, steps=steps)
    finally:
        torch.Tensor.backward = original
    seen = {
        "backward_calls": len(calls),
        "w": {**_tensor(w), "leaf": bool(getattr(w, "is_leaf", False))},
        "losses_floats": [type(loss) is float for loss in losses],
        "losses": np.asarray([float(loss) for loss in losses]),
        "w0": _untouched(start, np.asarray(w0, dtype=float), False),
    }
    seen["tuple_w0"] = _tensor(fit_autograd(xt, yt, tuple(float(v) for v in w0), lr=lr, steps=steps)[0])
    # The defaults (lr = 1e-6, steps = 2000), on wider data so that lr matters / 默认参数，数据范围更大以便学习率起作用
    few = slice(0, 8)
    w_default, losses_default = fit_autograd(2.0 * xt[few], yt[few], list(w0))
    seen["defaults"] = {"w": _tensor(w_default), "steps": len(losses_default), "last": float(losses_default[-1])}
    # float32 on the lesson's device / 在本课设备上的 float32
    w32, _ = fit_autograd(xt.float().to(_device()), yt.float().to(_device()), tuple(float(v) for v in w0), lr=lr, steps=steps)
    seen["float32"] = _close32(w32, seen["w"])
    return seen


def inputs_ex03_derivative(rng):
    size, side = int(rng.integers(3, 10)), int(rng.integers(2, 5))
    return {
        "x": rng.uniform(-2.0, 2.0, size=size),
        "coefficients": rng.uniform(0.5, 2.0, size=4) * rng.choice([-1.0, 1.0], size=4),
        "matrix": rng.uniform(-1.0, 1.0, size=(side, side)),
        "mixing": rng.normal(size=(side, side)),
        "scale": float(rng.uniform(1.5, 3.0)),
    }


def observe_ex03_derivative(ns, x, coefficients, matrix, mixing, scale):
    import torch

    derivative = ns["derivative"]
    a, b, c, d = (float(v) for v in coefficients)

    def f(t):
        # Element-wise terms and one that mixes the elements / 逐元素项，以及混合各元素的一项
        return (a * torch.sin(b * t) + c * t**3).sum() + d * t.sum() ** 2

    def g(t):
        return (t @ torch.as_tensor(mixing, dtype=t.dtype, device=t.device) @ t).trace() + (a * t.exp() * t).sum()

    seen = {}
    for label, requires_grad in (("plain x", False), ("x requiring grad", True)):
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=requires_grad)
        seen[label] = {"result": _tensor(derivative(f, xt)), "x": _untouched(xt, x, requires_grad)}
    mt = torch.tensor(matrix, dtype=torch.float64)
    seen["2-D x"] = {"result": _tensor(derivative(g, mt)), "x": _untouched(mt, matrix, False)}
    # x computed from a leaf: nothing flows back into the leaf / 由叶子张量算出的 x：不会流回叶子张量
    base = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    seen["x from a leaf"] = {"result": _tensor(derivative(f, base * scale)), "leaf": _untouched(base, x, True)}
    x32 = torch.tensor(x, dtype=torch.float32).to(_device())
    seen["float32"] = _close32(derivative(f, x32), _tensor(derivative(f, torch.tensor(x, dtype=torch.float32).double())))
    return seen


def inputs_ex03_second_derivative(rng):
    return {
        "x": rng.uniform(-2.0, 2.0, size=int(rng.integers(3, 20))),
        "coefficients": rng.uniform(0.5, 2.0, size=5) * rng.choice([-1.0, 1.0], size=5),
        "line": rng.normal(size=2),
        "scale": float(rng.uniform(0.5, 1.5)),
    }


def observe_ex03_second_derivative(ns, x, coefficients, line, scale):
    import torch

    second_derivative = ns["second_derivative"]
    a, b, c, d, e = (float(v) for v in coefficients)
    slope, intercept = (float(v) for v in line)

    def f(t):
        # Element-wise / 逐元素
        return a * torch.sin(b * t) + c * t**4 + d * torch.exp(e * t / 2) + torch.log1p(t**2)

    def linear(t):
        return slope * t + intercept

    seen = {}
    for label, requires_grad in (("plain x", False), ("x requiring grad", True)):
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=requires_grad)
        version = xt._version
        seen[label] = {
            "result": _tensor(second_derivative(f, xt)),
            "x": {**_untouched(xt, x, requires_grad), "version": xt._version == version},
        }
    # x computed from a leaf: nothing flows back into the leaf / 由叶子张量算出的 x：不会流回叶子张量
    base = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    seen["x from a leaf"] = {"result": _tensor(second_derivative(f, base * scale)), "leaf": _untouched(base, x, True)}
    # A linear f: zeros, in float64 and float32 / 线性的 f：全为零，float64 与 float32 均如此
    seen["linear"] = _tensor(second_derivative(linear, torch.tensor(x, dtype=torch.float64)))
    seen["linear float32"] = _tensor(second_derivative(linear, torch.tensor(x, dtype=torch.float32)))
    x32 = torch.tensor(x, dtype=torch.float32)
    seen["float32"] = _close32(second_derivative(f, x32.to(_device())), _tensor(second_derivative(f, x32.double())))
    return seen
