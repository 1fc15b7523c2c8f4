"""What `course grade` asks lesson 05's answers on inputs drawn at grading time (see course.grading.judging).
`course grade` 在评阅时抽取的输入上向第 05 课的答案提出的问题（见 course.grading.judging）。

``inputs_<grade_id>(rng)`` runs in the grader; ``observe_<grade_id>(ns, **inputs)`` runs in the
learner's kernel and in the reference kernel, ``ns`` being the notebook's globals, and returns plain
data. Observe what the tests check: forward values and input gradients for random upstream gradients,
in float32 and float64, what was saved for backward, which gradients are None, inputs left unchanged.
"""

import math

import numpy as np

TOLERANCES = {
    # float32, and P3' written another way / float32，以及 P3' 的其他写法
    "ex05_legendre": (1e-5, 1e-5),
    "ex05_fit_legendre": (1e-5, 1e-9),
    # atol 0: softplus(-100) = 3.7e-44 must not come out 0 in float64 / atol 为 0：float64 下 softplus(-100) = 3.7e-44 不能算成 0
    "ex05_softplus": (1e-6, 0.0),
}


def _array(tensor):
    """A copy of a tensor as a numpy array, dtype kept / 张量的 numpy 副本，保持 dtype"""
    return tensor.detach().cpu().numpy().copy()


def _through(function, inputs, upstream):
    """Forward values, what the node saved, and input gradients for ``upstream`` / 前向值、节点保存的张量与输入梯度"""
    import torch

    befores = [x.detach().clone() for x in inputs]
    y = function.apply(*inputs)
    seen = {"value": _array(y), "node": type(y.grad_fn).__name__}
    saved = y.grad_fn.saved_tensors
    seen["saved"] = len(saved)
    (y * upstream).sum().backward()
    seen["grads"] = [None if x.grad is None else _array(x.grad) for x in inputs]
    seen["inputs_unchanged"] = [
        bool(torch.equal(x.detach(), b)) for x, b in zip(inputs, befores, strict=True)
    ]
    return seen


def inputs_ex05_legendre(rng):
    size = int(rng.integers(3, 30))
    return {"t": rng.uniform(-1.5, 1.5, size=size), "upstream": rng.normal(size=size)}


def observe_ex05_legendre(ns, t, upstream):
    import torch

    seen = {}
    for dtype in (torch.float64, torch.float32):
        leaf = torch.tensor(t, dtype=dtype, requires_grad=True)
        case = _through(ns["LegendrePolynomial3"], [leaf], torch.tensor(upstream, dtype=dtype))
        # Saved with ctx.save_for_backward (the input or what backward needs) / 用 ctx.save_for_backward 保存
        case["saved"] = case["saved"] >= 1
        seen[str(dtype)] = case
    return seen


def inputs_ex05_fit_legendre(rng):
    size = int(rng.integers(15, 60))
    x = rng.uniform(-1.0, 1.0, size=size)
    return {
        "x": x,
        "y": np.sin(2.0 * x) + 0.1 * rng.normal(size=size),
        "w0": rng.normal(size=4) * 0.5,
        "lr": float(rng.uniform(5e-4, 2e-3)),
        "steps": int(rng.integers(3, 15)),
        "cubic": [float(c) for c in rng.uniform(0.5, 2.0, size=2) * rng.choice([-1.0, 1.0], size=2)],
        "x_wide": rng.uniform(-math.pi, math.pi, size=int(rng.integers(100, 400))),
    }


def observe_ex05_fit_legendre(ns, x, y, w0, lr, steps, cubic, x_wide):
    import inspect

    import torch

    c3, c1 = cubic

    class Probe(torch.autograd.Function):
        """Another cubic in LegendrePolynomial3's place: the fit must go through it / 代替 LegendrePolynomial3 的另一个三次函数"""

        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return c3 * input**3 + c1 * input

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * (3 * c3 * input**2 + c1)

    fit = ns["fit_legendre"]
    original = ns["LegendrePolynomial3"]
    ns["LegendrePolynomial3"] = Probe
    try:
        x64, start = torch.tensor(x), torch.tensor(w0)
        w, losses = fit(x64, torch.tensor(y), start, lr=lr, steps=steps)
        seen = {
            "w": _array(w),
            "losses": [float(v) for v in losses],
            "python_floats": all(type(v) is float for v in losses),
            "requires_grad": bool(w.requires_grad),
            "w0_unchanged": bool(torch.equal(start, torch.tensor(w0))),
        }
        w_tuple, _ = fit(x64, torch.tensor(y), tuple(float(v) for v in w0), lr=lr, steps=steps)
        seen["w_tuple"] = _array(w_tuple)
        # The default start and learning rate, in float32 / 默认起点与学习率，float32
        x32 = torch.tensor(x_wide, dtype=torch.float32)
        w32, losses32 = fit(x32, torch.sin(x32), steps=steps)
        seen["defaults"] = {"w": _array(w32), "losses": [float(v) for v in losses32]}
        w_none, losses_none = fit(x64, torch.tensor(y), start, lr=lr, steps=0)
        seen["no_steps"] = {"w": _array(w_none), "losses": len(losses_none)}
    finally:
        ns["LegendrePolynomial3"] = original
    # The default number of steps: read when it is a number, else counted (2000 steps are slow) / 默认步数
    default = inspect.signature(fit).parameters.get("steps")
    default = None if default is None else default.default
    if type(default) is not int:
        default = len(fit(x32, torch.sin(x32))[1])
    seen["default_steps"] = default
    return seen


def inputs_ex05_exp(rng):
    shape = [int(n) for n in rng.integers(1, 6, size=int(rng.integers(1, 3)))]
    return {"x": rng.uniform(-5.0, 5.0, size=shape), "upstream": rng.normal(size=shape)}


def _calls_exp(run):
    """Whether ``run()`` calls torch.exp or Tensor.exp / run() 是否调用了 exp"""
    import torch

    calls, exps = [], (torch.exp, torch.Tensor.exp)
    torch.exp = lambda *a, **k: calls.append(1) or exps[0](*a, **k)
    torch.Tensor.exp = lambda self, *a, **k: calls.append(1) or exps[1](self, *a, **k)
    try:
        run()
    finally:
        torch.exp, torch.Tensor.exp = exps
    return bool(calls)


def observe_ex05_exp(ns, x, upstream):
    import torch

    function, seen = ns["ExpFunction"], {}
    for dtype in (torch.float64, torch.float32):
        leaf = torch.tensor(x, dtype=dtype, requires_grad=True)
        y = function.apply(leaf)
        saved = y.grad_fn.saved_tensors
        case = {"value": _array(y), "node": type(y.grad_fn).__name__, "saved": len(saved)}
        case["saved_output"] = (
            len(saved) == 1 and saved[0] is not None and saved[0].data_ptr() == y.data_ptr()
        )
        # backward reuses the output: it computes no exp / backward 复用输出，不再计算 exp
        case["exp_in_backward"] = _calls_exp((y * torch.tensor(upstream, dtype=dtype)).sum().backward)
        case["grad"] = None if leaf.grad is None else _array(leaf.grad)
        seen[str(dtype)] = case
    return seen


def inputs_ex05_softplus(rng):
    def signs(size):
        return rng.choice([-1.0, 1.0], size=size)

    # The tests' points, every size of |x|, but no float64 subnormal results (x in -745..-708)
    # 测试中的点与各种大小的 |x|，但避开 float64 的次正规结果（x 在 -745..-708 之间）
    x64 = [-1000.0, -100.0, 100.0, 1000.0]
    x64 += list(rng.normal(size=8) * 40.0) + list(rng.uniform(100.0, 700.0, size=4) * signs(4))
    x64 += list(rng.uniform(800.0, 5000.0, size=4) * signs(4))
    # float32: results below 1e-30 (x < -80) only have to be tiny, as the tests' atol of 1e-38 says
    # float32：低于 1e-30 的结果（x < -80）只需足够小，与测试中 1e-38 的绝对容差一致
    x32 = [-1000.0, -100.0, 100.0, 1000.0]
    x32 += list(rng.uniform(-60.0, 60.0, size=8)) + list(rng.uniform(100.0, 3000.0, size=4) * signs(4))
    order64, order32 = rng.permutation(len(x64)), rng.permutation(len(x32))
    shape = (int(rng.integers(2, 5)), int(rng.integers(2, 6)))
    return {
        "x64": [x64[i] for i in order64],
        "x32": [x32[i] for i in order32],
        "upstream64": rng.normal(size=len(x64)),
        "upstream32": rng.normal(size=len(x32)),
        "x2d": rng.normal(size=shape) * 10.0,
        "upstream2d": rng.normal(size=shape),
    }


def observe_ex05_softplus(ns, x64, x32, upstream64, upstream32, x2d, upstream2d):
    import torch

    function, seen = ns["SoftplusFunction"], {}
    for name, values, upstream, dtype in (
        ("float64", x64, upstream64, torch.float64),
        ("float32", x32, upstream32, torch.float32),
        ("2-D", x2d, upstream2d, torch.float64),
    ):
        leaf = torch.tensor(values, dtype=dtype, requires_grad=True)
        case = _through(function, [leaf], torch.tensor(upstream, dtype=dtype))
        del case["saved"]  # the input or the output may be saved / 保存输入或输出均可
        case["grad"] = case.pop("grads")[0]
        if dtype == torch.float32:
            far = np.asarray(values) < -80.0
            for key in ("value", "grad"):
                if case[key] is not None:
                    case[key + "_tiny"] = np.abs(case[key][far]) < 1e-30
                    case[key] = np.where(far, np.float32(0.0), case[key])
        seen[name] = case
    return seen


def inputs_ex05_mul(rng):
    shape = [int(n) for n in rng.integers(2, 5, size=int(rng.integers(1, 4)))]
    shape[-1] += 1  # not square / 非方阵
    return {"a": rng.normal(size=shape), "b": rng.normal(size=shape), "upstream": rng.normal(size=shape)}


def _returned_by_backward(function, inputs, upstream):
    """What ``function``'s backward returned, read by a hook on its node / 通过节点上的钩子读取 backward 的返回值"""
    returned = []
    y = function.apply(*inputs)
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: returned.append(grad_inputs))
    (y * upstream).sum().backward()
    return [None if g is None else _array(g) for g in returned[0]]


def observe_ex05_mul(ns, a, b, upstream):
    import torch

    function, seen = ns["MulFunction"], {}
    for dtype in (torch.float64, torch.float32):
        a_leaf = torch.tensor(a, dtype=dtype, requires_grad=True)
        b_leaf = torch.tensor(b, dtype=dtype, requires_grad=True)
        pointers = {a_leaf.data_ptr(), b_leaf.data_ptr()}
        y = function.apply(a_leaf, b_leaf)
        saved = y.grad_fn.saved_tensors
        case = {"value": _array(y), "node": type(y.grad_fn).__name__}
        befores = (torch.tensor(a, dtype=dtype), torch.tensor(b, dtype=dtype))
        case["inputs_unchanged"] = [
            bool(torch.equal(x.detach(), before)) for x, before in zip((a_leaf, b_leaf), befores, strict=True)
        ]
        # a and b themselves saved with ctx.save_for_backward / a 与 b 本身用 ctx.save_for_backward 保存
        case["saved_a_and_b"] = len(saved) == 2 and {s.data_ptr() for s in saved if s is not None} == pointers
        (y * torch.tensor(upstream, dtype=dtype)).sum().backward()
        case["grads"] = [None if x.grad is None else _array(x.grad) for x in (a_leaf, b_leaf)]
        seen[str(dtype)] = case
    # Only one input requires grad: what backward returns for each (None where not needed) / 只有一个输入需要梯度
    for which in ("a", "b"):
        inputs = [torch.tensor(a), torch.tensor(b)]
        inputs[0 if which == "a" else 1].requires_grad_()
        seen["only_" + which] = {
            "returned": _returned_by_backward(function, inputs, torch.tensor(upstream)),
            "grads": [None if x.grad is None else _array(x.grad) for x in inputs],
        }
    # An in-place change of a saved input after forward is caught / forward 之后原地修改已保存的输入会被发现
    interior = torch.tensor(a, requires_grad=True) * 1
    y = function.apply(interior, torch.tensor(b, requires_grad=True))
    interior.add_(1.0)
    try:
        y.sum().backward()
        seen["stale_detected"] = False
    except RuntimeError:
        seen["stale_detected"] = True
    return seen
