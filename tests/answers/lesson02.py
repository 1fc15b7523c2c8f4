"""Answers to lesson 02's exercises that the graders must reject (WRONG) or accept (RIGHT).
第 02 课练习中评分测试必须拒绝（WRONG）或接受（RIGHT）的答案。"""

_FIT_HEAD = (
    "def fit_tensor(x, y, w0, lr=1e-6, steps=2000):\n"
    "    w = torch.as_tensor(w0, dtype=x.dtype).to(x.device).clone()\n"
    "    losses = []\n"
    "    for _ in range(steps):\n"
    "        y_pred = w[0] + w[1] * x + w[2] * x**2 + w[3] * x**3\n"
)
_FIT_GRAD = "        g = 2.0 * (y_pred - y)\n        grad = torch.stack([(g * x**k).sum() for k in range(4)])\n"

WRONG = {
    "ex02_fit_tensor": {
        "loss_after_update": _FIT_HEAD + _FIT_GRAD + "        w = w - lr * grad\n"
        "        losses.append(((w[0] + w[1] * x + w[2] * x**2 + w[3] * x**3 - y) ** 2).sum().item())\n    return w, losses\n",
        "losses_are_tensors": _FIT_HEAD + "        losses.append(((y_pred - y) ** 2).sum())\n" + _FIT_GRAD
        + "        w = w - lr * grad\n    return w, losses\n",
        "always_float64": _FIT_HEAD.replace("dtype=x.dtype", "dtype=torch.float64")
        + "        losses.append(((y_pred - y) ** 2).sum().item())\n" + _FIT_GRAD + "        w = w - lr * grad\n    return w, losses\n",
        "mutates_w0": _FIT_HEAD.replace(".to(x.device).clone()", ".to(x.device)")
        + "        losses.append(((y_pred - y) ** 2).sum().item())\n" + _FIT_GRAD + "        w -= lr * grad\n    return w, losses\n",
        "uses_autograd": (
            "def fit_tensor(x, y, w0, lr=1e-6, steps=2000):\n"
            "    w = torch.as_tensor(w0, dtype=x.dtype).to(x.device).clone().requires_grad_()\n    losses = []\n"
            "    for _ in range(steps):\n        loss = ((w[0] + w[1] * x + w[2] * x**2 + w[3] * x**3 - y) ** 2).sum()\n"
            "        losses.append(loss.item())\n        loss.backward()\n"
            "        with torch.no_grad():\n            w -= lr * w.grad\n        w.grad = None\n    return w.detach(), losses\n"
        ),
        "missing_factor_2": _FIT_HEAD + "        losses.append(((y_pred - y) ** 2).sum().item())\n"
        + _FIT_GRAD.replace("2.0 * ", "") + "        w = w - lr * grad\n    return w, losses\n",
        "numpy_weights": _FIT_HEAD + "        losses.append(((y_pred - y) ** 2).sum().item())\n" + _FIT_GRAD
        + "        w = w - lr * grad\n    return w.cpu().numpy(), losses\n",
        # Right values by autograd, reached through a reference saved before the call: only the rule rejects it
        # 数值正确，但通过调用之前保存的引用使用了自动求导：只有规则能拒绝它
        "autograd_saved_reference": (
            "_backward = torch.Tensor.backward\n"
            "def fit_tensor(x, y, w0, lr=1e-6, steps=2000):\n"
            "    w = torch.as_tensor(w0, dtype=x.dtype).to(x.device).clone()\n    powers = torch.stack([x**k for k in range(4)])\n"
            "    losses = []\n    for _ in range(steps):\n        w = w.detach().requires_grad_()\n"
            "        loss = ((w @ powers - y) ** 2).sum()\n        losses.append(loss.item())\n        _backward(loss)\n"
            "        w = (w - lr * w.grad).detach()\n    return w, losses\n"
        ),
        "autograd_grad_saved": (
            "_grad = torch.autograd.grad\n"
            "def fit_tensor(x, y, w0, lr=1e-6, steps=2000):\n"
            "    w = torch.as_tensor(w0, dtype=x.dtype).to(x.device).clone()\n    powers = torch.stack([x**k for k in range(4)])\n"
            "    losses = []\n    for _ in range(steps):\n        w = w.detach().requires_grad_()\n"
            "        loss = ((w @ powers - y) ** 2).sum()\n        losses.append(loss.item())\n"
            "        w = (w - lr * _grad(loss, w)[0]).detach()\n    return w, losses\n"
        ),
    },
    "ex02_gather": {
        "ignores_dim": (
            "def gather_loops(input, dim, index):\n    out = torch.empty(index.shape, dtype=input.dtype, device=input.device)\n"
            "    for i in range(index.shape[0]):\n        for j in range(index.shape[1]):\n            for k in range(index.shape[2]):\n"
            "                out[i, j, k] = input[int(index[i, j, k]), j, k]\n    return out\n"
        ),
        "swapped_loop_indices": (
            "def gather_loops(input, dim, index):\n    dim = dim % 3\n"
            "    out = torch.empty(index.shape, dtype=input.dtype, device=input.device)\n"
            "    for i in range(index.shape[0]):\n        for j in range(index.shape[1]):\n            for k in range(index.shape[2]):\n"
            "                position = [i, k, j] if dim == 0 else [i, j, k]\n                position[dim] = int(index[i, j, k])\n"
            "                out[i, j, k] = input[tuple(position)]\n    return out\n"
        ),
        "negative_dim_unhandled": (
            "def gather_loops(input, dim, index):\n    out = torch.empty(index.shape, dtype=input.dtype, device=input.device)\n"
            "    for i in range(index.shape[0]):\n        for j in range(index.shape[1]):\n            for k in range(index.shape[2]):\n"
            "                position = [i, j, k]\n                position[min(dim, 2) if dim >= 0 else 0] = int(index[i, j, k])\n"
            "                out[i, j, k] = input[tuple(position)]\n    return out\n"
        ),
        "calls_gather": "def gather_loops(input, dim, index):\n    return torch.gather(input, dim, index).clone()\n",
        "calls_take_along_dim": "def gather_loops(input, dim, index):\n    return torch.take_along_dim(input, index, dim)\n",
        # torch.gather kept under another name before the tests swap anything: right values, only the rule rejects it
        # 在测试替换任何东西之前以别的名字保存 torch.gather：数值正确，只有规则能拒绝它
        "gather_saved_reference": "_gather = torch.gather\ndef gather_loops(input, dim, index):\n    return _gather(input, dim, index)\n",
        "gather_method_saved": "_gather = torch.Tensor.gather\ndef gather_loops(input, dim, index):\n    return _gather(input, dim, index)\n",
        "float_output": (
            "def gather_loops(input, dim, index):\n    dim = dim % 3\n"
            "    out = torch.empty(index.shape, dtype=torch.float64, device=input.device)\n"
            "    for i in range(index.shape[0]):\n        for j in range(index.shape[1]):\n            for k in range(index.shape[2]):\n"
            "                position = [i, j, k]\n                position[dim] = int(index[i, j, k])\n"
            "                out[i, j, k] = input[tuple(position)]\n    return out\n"
        ),
        "input_shaped_output": (
            "def gather_loops(input, dim, index):\n    dim = dim % 3\n    out = torch.zeros_like(input)\n"
            "    for i in range(index.shape[0]):\n        for j in range(index.shape[1]):\n            for k in range(index.shape[2]):\n"
            "                position = [i, j, k]\n                position[dim] = int(index[i, j, k])\n"
            "                out[i, j, k] = input[tuple(position)]\n    return out\n"
        ),
    },
    "ex02_shares_storage": {
        "data_ptr": "def shares_storage(a, b):\n    return a.data_ptr() == b.data_ptr()\n",
        "equal_values": "def shares_storage(a, b):\n    return bool(torch.equal(a.flatten()[:1], b.flatten()[:1]))\n",
        "identity": "def shares_storage(a, b):\n    return a is b\n",
        "returns_tensor": "def shares_storage(a, b):\n    return torch.tensor(a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr())\n",
        "same_shape": "def shares_storage(a, b):\n    return a.numel() == b.numel()\n",
        # Every storage of 0 bytes has address 0: two unrelated empty tensors would count as shared / 0 字节存储的地址都是 0
        "storage_data_ptr_only": (
            "def shares_storage(a, b):\n    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()\n"
        ),
        # Guards on the tensor's elements, not the storage's bytes: a view without elements is a view too / 应检查存储字节数而非元素个数
        "empty_by_numel": (
            "def shares_storage(a, b):\n    if a.numel() == 0 or b.numel() == 0:\n        return False\n"
            "    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()\n"
        ),
        # The same storage object, but a storage of 0 bytes must count as sharing nothing (e and e.view(-1)) / 0 字节的存储应算作不共享
        "same_storage_object": "def shares_storage(a, b):\n    return a.untyped_storage() is b.untyped_storage()\n",
    },
    "ex02_default_dtype": {
        "no_restore_on_exception": (
            "@contextlib.contextmanager\ndef default_dtype(dtype):\n    previous = torch.get_default_dtype()\n"
            "    torch.set_default_dtype(dtype)\n    yield\n    torch.set_default_dtype(previous)\n"
        ),
        "restores_float32": (
            "@contextlib.contextmanager\ndef default_dtype(dtype):\n    torch.set_default_dtype(dtype)\n"
            "    try:\n        yield\n    finally:\n        torch.set_default_dtype(torch.float32)\n"
        ),
        "never_restores": "@contextlib.contextmanager\ndef default_dtype(dtype):\n    torch.set_default_dtype(dtype)\n    yield\n",
        "not_a_context_manager": "def default_dtype(dtype):\n    torch.set_default_dtype(dtype)\n",
        "int_accepted_silently": (
            "@contextlib.contextmanager\ndef default_dtype(dtype):\n    previous = torch.get_default_dtype()\n"
            "    try:\n        torch.set_default_dtype(dtype)\n    except TypeError:\n        pass\n"
            "    try:\n        yield\n    finally:\n        torch.set_default_dtype(previous)\n"
        ),
    },
}

RIGHT = {
    "ex02_fit_tensor": {
        "per_coefficient": _FIT_HEAD + "        losses.append(float(((y_pred - y) ** 2).sum()))\n" + _FIT_GRAD
        + "        w = w - lr * grad\n    return w, losses\n",
    },
    "ex02_gather": {
        "index_arithmetic": (
            "def gather_loops(input, dim, index):\n    d = dim + 3 if dim < 0 else dim\n"
            "    out = input.new_empty(index.shape)\n    for i, j, k in __import__('itertools').product(*map(range, index.shape)):\n"
            "        where = {0: (index[i, j, k], j, k), 1: (i, index[i, j, k], k), 2: (i, j, index[i, j, k])}[d]\n"
            "        out[i, j, k] = input[tuple(int(v) for v in where)]\n    return out\n"
        ),
    },
    "ex02_shares_storage": {
        "storage_of_base": (
            "def shares_storage(a, b):\n    base_a = a if a._base is None else a._base\n    base_b = b if b._base is None else b._base\n"
            "    if base_a.untyped_storage().nbytes() == 0:\n        return False\n"
            "    return base_a.untyped_storage().data_ptr() == base_b.untyped_storage().data_ptr()\n"
        ),
        # torch keeps one Python object per storage, so views return the very same object / torch 为每块存储保留同一个 Python 对象
        "same_storage_object_with_bytes": (
            "def shares_storage(a, b):\n    storage = a.untyped_storage()\n"
            "    return storage is b.untyped_storage() and storage.nbytes() > 0\n"
        ),
        "both_storages_have_bytes": (
            "def shares_storage(a, b):\n    sa, sb = a.untyped_storage(), b.untyped_storage()\n"
            "    return sa.nbytes() > 0 and sb.nbytes() > 0 and sa.data_ptr() == sb.data_ptr()\n"
        ),
    },
    "ex02_default_dtype": {
        "class_based": (
            "class default_dtype:\n    def __init__(self, dtype):\n        if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):\n"
            "            raise TypeError('floating dtype needed / 需要浮点 dtype')\n        self.dtype = dtype\n"
            "    def __enter__(self):\n        self.previous = torch.get_default_dtype()\n        torch.set_default_dtype(self.dtype)\n"
            "    def __exit__(self, *exc):\n        torch.set_default_dtype(self.previous)\n        return False\n"
        ),
        "relies_on_torch_type_check": (
            "@contextlib.contextmanager\ndef default_dtype(dtype):\n    previous = torch.get_default_dtype()\n"
            "    torch.set_default_dtype(dtype)\n    try:\n        yield\n    finally:\n        torch.set_default_dtype(previous)\n"
        ),
    },
}
