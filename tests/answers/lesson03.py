"""Answers to lesson 03's exercises that the graders must reject (WRONG) or accept (RIGHT).
第 03 课练习中评分测试必须拒绝（WRONG）或接受（RIGHT）的答案。"""

_HEAD = (
    "def fit_autograd(x, y, w0, lr=1e-6, steps=2000):\n"
    "    w = torch.as_tensor(w0, dtype=x.dtype).to(x.device).detach().clone().requires_grad_(True)\n"
    "    losses = []\n"
)
_LOSS = "        loss = (w[0] + w[1] * x + w[2] * x**2 + w[3] * x**3 - y).pow(2).sum()\n"

WRONG = {
    "ex03_fit_autograd": {
        "no_gradient_reset": _HEAD + "    for _ in range(steps):\n" + _LOSS + "        losses.append(loss.item())\n"
        "        loss.backward()\n        with torch.no_grad():\n            w -= lr * w.grad\n    return w.detach(), losses\n",
        "update_outside_no_grad": _HEAD + "    for _ in range(steps):\n" + _LOSS + "        losses.append(loss.item())\n"
        "        loss.backward()\n        w = w - lr * w.grad\n    return w.detach(), losses\n",
        "backward_outside_loop": _HEAD + _LOSS.replace("        ", "    ", 1) + "    loss.backward()\n"
        "    for _ in range(steps):\n        losses.append(loss.item())\n"
        "        with torch.no_grad():\n            w -= lr * w.grad\n    return w.detach(), losses\n",
        "not_detached": _HEAD + "    for _ in range(steps):\n" + _LOSS + "        losses.append(loss.item())\n"
        "        loss.backward()\n        with torch.no_grad():\n            w -= lr * w.grad\n        w.grad = None\n    return w, losses\n",
        "hand_written_gradients": (
            "def fit_autograd(x, y, w0, lr=1e-6, steps=2000):\n"
            "    w = torch.as_tensor(w0, dtype=x.dtype).to(x.device).clone()\n    losses = []\n"
            "    for _ in range(steps):\n        r = w[0] + w[1] * x + w[2] * x**2 + w[3] * x**3 - y\n"
            "        losses.append(r.pow(2).sum().item())\n"
            "        w = w - lr * torch.stack([(2 * r * x**k).sum() for k in range(4)])\n    return w, losses\n"
        ),
        "losses_as_tensors": _HEAD + "    for _ in range(steps):\n" + _LOSS + "        losses.append(loss.detach())\n"
        "        loss.backward()\n        with torch.no_grad():\n            w -= lr * w.grad\n        w.grad = None\n"
        "    return w.detach(), losses\n",
    },
    "ex03_derivative": {
        "finite_differences": (
            "def derivative(f, x):\n    h = 1e-6\n    flat = x.detach().reshape(-1)\n    out = torch.empty_like(flat)\n"
            "    for i in range(flat.numel()):\n        e = torch.zeros_like(flat)\n        e[i] = h\n"
            "        out[i] = (f((flat + e).reshape(x.shape)) - f((flat - e).reshape(x.shape))) / (2 * h)\n"
            "    return out.reshape(x.shape)\n"
        ),
        "fills_x_grad": (
            "def derivative(f, x):\n    x.requires_grad_(True)\n    f(x).backward()\n    return x.grad\n"
        ),
        "forgets_requires_grad": (
            "def derivative(f, x):\n    x_copy = x.detach().requires_grad_(True)\n    f(x_copy).backward()\n"
            "    x.requires_grad_(True)\n    return x_copy.grad\n"
        ),
        "returns_function_value": (
            "def derivative(f, x):\n    return f(x.detach()) * torch.ones_like(x)\n"
        ),
        # A clone of an x that requires grad is no leaf: its .grad stays None and backward() fills x.grad / 非叶子的克隆
        "backward_through_clone": (
            "def derivative(f, x):\n    x_copy = x.clone().requires_grad_(True)\n    f(x_copy).backward()\n"
            "    return x_copy.grad\n"
        ),
        # The gradient keeps a graph: requires_grad is True / 梯度仍带着计算图：requires_grad 为 True
        "create_graph_result": (
            "def derivative(f, x):\n    x_leaf = x.detach().requires_grad_(True)\n"
            "    (gradient,) = torch.autograd.grad(f(x_leaf), x_leaf, create_graph=True)\n    return gradient\n"
        ),
        # Turns on requires_grad of the caller's x / 打开了调用者的 x 的 requires_grad
        "requires_grad_on_x": (
            "def derivative(f, x):\n    x.requires_grad_(True)\n    (gradient,) = torch.autograd.grad(f(x), x)\n"
            "    return gradient\n"
        ),
    },
    "ex03_second_derivative": {
        "first_derivative": (
            "def second_derivative(f, x):\n    x_leaf = x.detach().requires_grad_(True)\n"
            "    (first,) = torch.autograd.grad(f(x_leaf).sum(), x_leaf)\n    return first\n"
        ),
        "finite_differences": (
            "def second_derivative(f, x):\n    h = 1e-4\n    x0 = x.detach()\n"
            "    return (f(x0 + h) - 2 * f(x0) + f(x0 - h)) / h**2\n"
        ),
        "no_create_graph": (
            "def second_derivative(f, x):\n    x_leaf = x.detach().requires_grad_(True)\n"
            "    (first,) = torch.autograd.grad(f(x_leaf).sum(), x_leaf)\n"
            "    (second,) = torch.autograd.grad(first.sum(), x_leaf)\n    return second\n"
        ),
        "sets_requires_grad_on_x": (
            "def second_derivative(f, x):\n    x.requires_grad_(True)\n"
            "    (first,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)\n"
            "    if not first.requires_grad:\n        return torch.zeros_like(x)\n"
            "    (second,) = torch.autograd.grad(first.sum(), x)\n    return second\n"
        ),
        "backward_fills_x_grad": (
            "def second_derivative(f, x):\n    x_leaf = x if x.requires_grad else x.detach().requires_grad_(True)\n"
            "    (first,) = torch.autograd.grad(f(x_leaf).sum(), x_leaf, create_graph=True)\n"
            "    if not first.requires_grad:\n        return torch.zeros_like(x)\n"
            "    first.sum().backward()\n    return x_leaf.grad.detach().clone()\n"
        ),
        "result_attached_to_graph": (
            "def second_derivative(f, x):\n    x_leaf = x.detach().requires_grad_(True)\n"
            "    (first,) = torch.autograd.grad(f(x_leaf).sum(), x_leaf, create_graph=True)\n"
            "    if not first.requires_grad:\n        return torch.zeros_like(x)\n"
            "    (second,) = torch.autograd.grad(first.sum(), x_leaf, create_graph=True)\n    return second\n"
        ),
        "fails_on_linear": (
            "def second_derivative(f, x):\n    x_leaf = x.detach().requires_grad_(True)\n"
            "    (first,) = torch.autograd.grad(f(x_leaf).sum(), x_leaf, create_graph=True)\n"
            "    (second,) = torch.autograd.grad(first.sum(), x_leaf)\n    return second\n"
        ),
        "always_float64": (
            "def second_derivative(f, x):\n    x_leaf = x.detach().double().requires_grad_(True)\n"
            "    (first,) = torch.autograd.grad(f(x_leaf).sum(), x_leaf, create_graph=True)\n"
            "    if not first.requires_grad:\n        return torch.zeros_like(x_leaf.detach())\n"
            "    (second,) = torch.autograd.grad(first.sum(), x_leaf)\n    return second\n"
        ),
    },
}

RIGHT = {
    "ex03_fit_autograd": {
        "parameters_a_to_d": (
            "def fit_autograd(x, y, w0, lr=1e-6, steps=2000):\n"
            "    params = [torch.tensor(float(v), dtype=x.dtype, device=x.device, requires_grad=True) for v in w0]\n"
            "    losses = []\n    for _ in range(steps):\n        a, b, c, d = params\n"
            "        loss = (a + b * x + c * x**2 + d * x**3 - y).pow(2).sum()\n        losses.append(loss.item())\n"
            "        loss.backward()\n        with torch.no_grad():\n            for p in params:\n                p -= lr * p.grad\n"
            "                p.grad.zero_()\n    return torch.stack([p.detach() for p in params]), losses\n"
        ),
    },
    "ex03_derivative": {
        "backward_on_a_copy": (
            "def derivative(f, x):\n    x_copy = x.detach().clone().requires_grad_()\n    f(x_copy).backward()\n"
            "    return x_copy.grad\n"
        ),
        "torch_func_grad": "def derivative(f, x):\n    return torch.func.grad(f)(x.detach())\n",
    },
    "ex03_second_derivative": {
        "torch_func_grad_of_grad": (
            "def second_derivative(f, x):\n"
            "    return torch.func.vmap(torch.func.grad(torch.func.grad(f)))(x.detach())\n"
        ),
        "hessian_diagonal": (
            "def second_derivative(f, x):\n"
            "    hessian = torch.autograd.functional.hessian(lambda t: f(t).sum(), x.detach())\n"
            "    return hessian.diagonal().clone()\n"
        ),
        "grad_outputs_and_grad_fn_check": (
            "def second_derivative(f, x):\n    x_copy = x.detach().clone().requires_grad_()\n    y = f(x_copy)\n"
            "    (first,) = torch.autograd.grad(y, x_copy, grad_outputs=torch.ones_like(y), create_graph=True)\n"
            "    if first.grad_fn is None:\n        return torch.zeros_like(x_copy).detach()\n"
            "    (second,) = torch.autograd.grad(first, x_copy, grad_outputs=torch.ones_like(first))\n    return second\n"
        ),
    },
}
