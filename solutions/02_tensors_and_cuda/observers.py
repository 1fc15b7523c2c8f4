"""What `course grade` asks lesson 02's answers on inputs drawn at grading time (see course.grading.judging).
`course grade` 在评阅时抽取的输入上向第 02 课的答案提出的问题（见 course.grading.judging）。

``inputs_<grade_id>(rng)`` runs in the grader; ``observe_<grade_id>(ns, **inputs)`` runs in the
learner's kernel and in the reference kernel, ``ns`` being the notebook's globals, and returns plain
data. Observe what the tests check: values, dtypes, devices, inputs left unchanged. ``FORBIDDEN`` names
what an answer must not call while it is observed, by any route (``helpers.calls``).
"""

import numpy as np

# float64 fits, compared as tightly as the tests do / float64 的拟合结果，与测试同样严格
TOLERANCES = {"ex02_fit_tensor": (1e-9, 1e-12)}
# As the visible tests name them / 与可见测试中的名称相同
FORBIDDEN = {
    "ex02_fit_tensor": ("torch.Tensor.backward", "torch.autograd.backward", "torch.autograd.grad", "torch.autograd.functional", "torch.func"),
    "ex02_gather": ("torch.gather", "torch.Tensor.gather", "torch.take_along_dim", "torch.Tensor.take_along_dim"),
}


def _device():
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _tensor(value):
    """Type, dtype, device type and float64 values of ``value`` / 值的类型、dtype、设备类型与 float64 数值"""
    import torch

    if not isinstance(value, torch.Tensor):
        return {"type": type(value).__name__, "values": np.asarray(value, dtype=float)}
    return {
        "type": "Tensor",
        "dtype": str(value.dtype),
        "device": value.device.type,
        "requires_grad": bool(value.requires_grad),
        "values": value.detach().cpu().double().numpy(),
    }


def inputs_ex02_fit_tensor(rng):
    size = int(rng.integers(8, 30))
    x = rng.uniform(-2.0, 2.0, size=size)
    return {
        "x": x,
        "y": np.sin(x) + 0.1 * rng.normal(size=size),
        "w0": rng.normal(size=4),
        "lr": float(rng.uniform(2e-4, 1e-3)),
        "steps": int(rng.integers(5, 25)),
    }


def observe_ex02_fit_tensor(ns, x, y, w0, lr, steps):
    import torch

    fit_tensor = ns["fit_tensor"]
    xt, yt = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    start = torch.tensor(w0, dtype=torch.float64)
    w, losses = fit_tensor(xt, yt, start, lr=lr, steps=steps)
    seen = {
        "w": _tensor(w),
        "losses_floats": [type(loss) is float for loss in losses],
        "losses": np.asarray([float(loss) for loss in losses]),
        "w0_unchanged": bool(torch.equal(start, torch.tensor(w0, dtype=torch.float64))),
    }
    seen["tuple_w0"] = _tensor(fit_tensor(xt, yt, tuple(float(v) for v in w0), lr=lr, steps=steps)[0])
    # The defaults (lr = 1e-6, steps = 2000), on wider data so that lr matters / 默认参数，数据范围更大以便学习率起作用
    w_default, losses_default = fit_tensor(2.0 * xt, yt, list(w0))
    seen["defaults"] = {"w": _tensor(w_default), "steps": len(losses_default), "last": float(losses_default[-1])}
    # float32 on the lesson's device: x's dtype and device, close to the float64 fit / 设备上的 float32
    x32 = xt.float().to(_device())
    w32, _ = fit_tensor(x32, yt.float().to(_device()), tuple(float(v) for v in w0), lr=lr, steps=steps)
    w32 = _tensor(w32)
    seen["float32"] = {key: w32.get(key) for key in ("type", "dtype", "device")}
    seen["float32"]["close"] = bool(np.allclose(w32["values"], seen["w"]["values"], rtol=1e-3, atol=1e-4))
    return seen


def inputs_ex02_gather(rng):
    shape = [int(n) for n in rng.integers(2, 5, size=3)]
    cases = []
    for dim in (0, 1, 2, -1, -2, -3):
        # index smaller than input along the other dims, any length along dim / 其他维上不超过 input
        index_shape = [int(rng.integers(1, n + 1)) for n in shape]
        index_shape[dim] = int(rng.integers(1, 6))
        cases.append({"dim": dim, "index": rng.integers(0, shape[dim], size=index_shape)})
    return {"values": rng.normal(size=shape), "ints": rng.integers(-50, 50, size=shape), "cases": cases}


def observe_ex02_gather(ns, values, ints, cases):
    import torch

    gather_loops = ns["gather_loops"]
    seen = []
    for case in cases:
        for source in (torch.tensor(values), torch.tensor(ints)):
            index = torch.tensor(case["index"], dtype=torch.int64)
            before = source.clone()
            out = gather_loops(source, case["dim"], index)
            seen.append(
                {
                    "out": _tensor(out),
                    "new_tensor": bool(out.untyped_storage().data_ptr() != source.untyped_storage().data_ptr()),
                    "input_unchanged": bool(torch.equal(source, before)),
                }
            )
    # On the lesson's device / 在本课的设备上
    source, index = torch.tensor(values).to(_device()), torch.tensor(cases[2]["index"]).to(_device())
    seen.append(_tensor(gather_loops(source, 2, index)))
    return seen


def inputs_ex02_shares_storage(rng):
    rows, cols = (int(n) for n in rng.integers(2, 6, size=2))
    start = int(rng.integers(1, rows))
    return {
        "rows": rows,
        "cols": cols,
        "start": start,
        "column": int(rng.integers(0, cols)),
        "empty_cols": int(rng.integers(1, 5)),
        "float_first": bool(rng.integers(0, 2)),
    }


def observe_ex02_shares_storage(ns, rows, cols, start, column, empty_cols, float_first):
    import torch

    shares_storage = ns["shares_storage"]
    x = torch.arange(float(rows * cols)).reshape(1, rows, cols)
    e = torch.zeros(0, empty_cols)
    pairs = {
        # views / 视图
        "x, x": (x, x),
        "x, squeeze": (x, x.squeeze(0)),
        "x, unsqueeze": (x, x.unsqueeze(-1)),
        "x, slice": (x, x[0, start:]),
        "x, empty slice": (x, x[0, start:start]),
        "x, transpose": (x, x[0].t()),
        "x, view": (x, x.view(-1)),
        "x, column": (x, x[0, :, column]),
        # copies / 复制品
        "x, clone": (x, x.clone()),
        "x, plus zero": (x, x + 0),
        "x, copy_": (x, torch.empty_like(x).copy_(x)),
        "x, contiguous": (x, x[0].t().contiguous()),
        "x, same values": (x, torch.arange(float(rows * cols))),
        # storages of 0 bytes / 0 字节的存储
        "two empties": (torch.empty(0), torch.empty(0)),
        "empties of two dtypes": (torch.empty(0, dtype=torch.int64), torch.empty(0, dtype=torch.float32 if float_first else torch.float64)),
        "e, e": (e, e),
        "e, e.t()": (e, e.t()),
        "e, e.view(-1)": (e, e.view(-1)),
        "e, e.unsqueeze(0)": (e, e.unsqueeze(0)),
    }
    seen = {}
    for label, (a, b) in pairs.items():
        both = []
        for first, second in ((a, b), (b, a)):
            result = shares_storage(first, second)
            both.append({"bool": type(result) is bool, "value": bool(result)})
        seen[label] = both
    return seen


_FLOATS = ["float32", "float64", "float16", "bfloat16"]
_NOT_FLOATS = ["int64", "int32", "bool", "complex64", "uint8", "int16"]


def inputs_ex02_default_dtype(rng):
    # Not float32 at the start, so that restoring float32 is not restoring / 起始值不是 float32
    start = str(rng.choice(_FLOATS[1:]))
    return {
        "start": start,
        "nested": [str(d) for d in rng.choice(_FLOATS, size=int(rng.integers(2, 5)))],
        "raising": str(rng.choice([d for d in _FLOATS if d != start])),
        "outer": str(rng.choice(_FLOATS)),
        "bad": [str(d) for d in rng.choice(_NOT_FLOATS, size=3, replace=False)],
    }


def observe_ex02_default_dtype(ns, start, nested, raising, outer, bad):
    import torch

    default_dtype = ns["default_dtype"]
    original = torch.get_default_dtype()
    seen = []

    def now():
        return str(torch.get_default_dtype())

    def attempt(step):
        # What one step gave: its record, or the name of what it raised / 一步的记录，或抛出的异常名称
        try:
            seen.append(step())
        except Exception as error:
            seen.append({"raised": type(error).__name__, "default after": now()})

    def nest(levels):
        if not levels:
            return [now(), str(torch.tensor([1.0]).dtype)]
        with default_dtype(getattr(torch, levels[0])):
            inside = [now()] + nest(levels[1:]) + [now()]
        return inside + [now()]

    def exception_leaves():
        try:
            with default_dtype(getattr(torch, raising)):
                raise KeyError("boom")
        except KeyError:
            return {"propagated": True, "default after": now()}
        return {"propagated": False, "default after": now()}

    def rejected(name):
        def step():
            with default_dtype(getattr(torch, name)):
                return {"inside": now()}

        return step

    def rejected_inside():
        # A rejected dtype inside another block changes nothing there / 在另一个代码块内被拒绝的 dtype 也不改变任何东西
        with default_dtype(getattr(torch, outer)):
            inner = []
            for name in bad:
                try:
                    with default_dtype(getattr(torch, name)):
                        inner.append(now())
                except TypeError:
                    inner.append("TypeError " + now())
            return inner + [now()]

    try:
        torch.set_default_dtype(getattr(torch, start))
        attempt(lambda: nest(nested))
        attempt(exception_leaves)
        for name in bad:
            attempt(rejected(name))
        attempt(rejected_inside)
        attempt(lambda: [now()])
    finally:
        torch.set_default_dtype(original)
    return seen
