"""Answers to lesson 07's exercises that the graders must reject (WRONG) or accept (RIGHT).
第 07 课练习中评分测试必须拒绝（WRONG）或接受（RIGHT）的答案。"""


def _sgd(init: str, step: str, zero_grad: str = "        for p in self.params:\n            p.grad = None\n") -> str:
    return (
        "class SGD:\n"
        "    def __init__(self, params, lr, momentum=0.0):\n" + init
        + "    def step(self):\n" + step
        + "    def zero_grad(self):\n" + zero_grad
    )


_INIT = (
    "        self.params = list(params)\n        self.lr = lr\n        self.momentum = momentum\n"
    "        self.buffers = [None] * len(self.params)\n"
)


def _momentum_step(update: str, first: str = "b = g.clone()") -> str:
    """A step where ``update`` turns (b, g) into the new buffer and ``direction`` / 由 update 计算新缓冲区与方向"""
    return (
        "        with torch.no_grad():\n"
        "            for i, p in enumerate(self.params):\n"
        "                if p.grad is None:\n                    continue\n"
        "                g = p.grad\n                direction = g\n"
        "                if self.momentum != 0:\n"
        "                    b = self.buffers[i]\n"
        f"                    if b is None:\n                        {first}\n"
        f"                    else:\n{update}"
        "                    self.buffers[i] = b\n"
        "                    direction = b\n"
        "                p -= self.lr * direction\n"
    )


_TORCH_UPDATE = "                        b = self.momentum * b + g\n"

_RMS = "def rmsprop_update(param, grad, square_avg, lr, alpha=0.99, eps=1e-8):\n"


def _fit(body: str, build: str = "    optimizer = make_optimizer(model.parameters())\n") -> str:
    return (
        "def fit_with_optimizer(model, make_optimizer, xx, y, steps):\n" + build
        + "    losses = []\n    for _ in range(steps):\n" + body + "    return losses\n"
    )


_LOSS = "        loss = ((model(xx) - y) ** 2).sum()\n"


WRONG = {
    "ex07_sgd": {
        "nesterov": _sgd(
            _INIT,
            _momentum_step(_TORCH_UPDATE).replace("                    direction = b\n", "                    direction = g + self.momentum * b\n"),
        ),
        "dampening": _sgd(_INIT, _momentum_step("                        b = self.momentum * b + (1 - self.momentum) * g\n")),
        "buffer_from_zero_with_dampening": _sgd(
            _INIT,
            _momentum_step("                        b = self.momentum * b + (1 - self.momentum) * g\n",
                           first="b = (1 - self.momentum) * g"),
        ),
        "step_before_buffer_update": _sgd(
            _INIT.replace("[None] * len(self.params)", "[torch.zeros_like(p) for p in self.params]"),
            "        with torch.no_grad():\n"
            "            for i, p in enumerate(self.params):\n"
            "                if p.grad is None:\n                    continue\n"
            "                p -= self.lr * (self.buffers[i] if self.momentum else p.grad)\n"
            "                self.buffers[i] = self.momentum * self.buffers[i] + p.grad\n",
        ),
        "zero_grad_sets_zeros": _sgd(
            _INIT, _momentum_step(_TORCH_UPDATE),
            zero_grad="        for p in self.params:\n            if p.grad is not None:\n                p.grad.zero_()\n",
        ),
        "generator_not_kept": _sgd(
            "        self.params = params\n        self.lr = lr\n        self.momentum = momentum\n        self.buffers = {}\n",
            "        with torch.no_grad():\n"
            "            for i, p in enumerate(self.params):\n"
            "                if p.grad is None:\n                    continue\n"
            "                g = p.grad\n"
            "                if self.momentum:\n"
            "                    b = self.buffers.get(i)\n"
            "                    b = g.clone() if b is None else self.momentum * b + g\n"
            "                    self.buffers[i] = b\n                    g = b\n"
            "                p -= self.lr * g\n",
        ),
        "momentum_ignored": _sgd(_INIT, _momentum_step(_TORCH_UPDATE).replace("direction = b\n", "direction = g\n")),
        "none_grad_not_skipped": _sgd(
            _INIT, _momentum_step(_TORCH_UPDATE).replace("                if p.grad is None:\n                    continue\n", "")
        ),
        "update_recorded_by_autograd": _sgd(
            _INIT, _momentum_step(_TORCH_UPDATE).replace("        with torch.no_grad():\n", "        if True:\n")
        ),
    },
    "ex07_rmsprop_update": {
        "eps_inside_sqrt": _RMS
        + "    v = alpha * square_avg + (1 - alpha) * grad**2\n    return param - lr * grad / torch.sqrt(v + eps), v\n",
        "alpha_swapped": _RMS
        + "    v = (1 - alpha) * square_avg + alpha * grad**2\n    return param - lr * grad / (v.sqrt() + eps), v\n",
        "in_place": _RMS
        + "    square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)\n"
        "    param.addcdiv_(grad, square_avg.sqrt().add(eps), value=-lr)\n    return param, square_avg\n",
        "missing_sqrt": _RMS
        + "    v = alpha * square_avg + (1 - alpha) * grad**2\n    return param - lr * grad / (v + eps), v\n",
        "old_square_avg_in_step": _RMS
        + "    new = param - lr * grad / (square_avg.sqrt() + eps)\n"
        "    return new, alpha * square_avg + (1 - alpha) * grad**2\n",
        "pair_swapped": _RMS
        + "    v = alpha * square_avg + (1 - alpha) * grad**2\n    return v, param - lr * grad / (v.sqrt() + eps)\n",
    },
    "ex07_fit_optim": {
        "loss_after_step": _fit(
            _LOSS + "        optimizer.zero_grad()\n        loss.backward()\n        optimizer.step()\n"
            "        losses.append(((model(xx) - y) ** 2).sum().item())\n"
        ),
        "zero_grad_after_backward": _fit(
            _LOSS + "        losses.append(loss.item())\n        loss.backward()\n        optimizer.zero_grad()\n        optimizer.step()\n"
        ),
        "mean_reduction": _fit(
            "        loss = torch.nn.functional.mse_loss(model(xx), y)\n"
            "        losses.append(loss.item())\n        optimizer.zero_grad()\n        loss.backward()\n        optimizer.step()\n"
        ),
        "optimizer_built_each_step": _fit(
            "        optimizer = make_optimizer(model.parameters())\n"
            + _LOSS + "        losses.append(loss.item())\n        optimizer.zero_grad()\n        loss.backward()\n        optimizer.step()\n",
            build="",
        ),
        "optimizer_built_twice": _fit(
            _LOSS + "        losses.append(loss.item())\n        optimizer.zero_grad()\n        loss.backward()\n        optimizer.step()\n",
            build="    optimizer = make_optimizer(model.parameters())\n    optimizer = make_optimizer(model.parameters())\n",
        ),
        "no_zero_grad": _fit(_LOSS + "        losses.append(loss.item())\n        loss.backward()\n        optimizer.step()\n"),
        "tensor_losses": _fit(
            _LOSS + "        losses.append(loss.detach())\n        optimizer.zero_grad()\n        loss.backward()\n        optimizer.step()\n"
        ),
    },
}

# Answers that hand the work to torch.optim: right values, only the rule rejects them
# 把工作交给 torch.optim 的答案：数值正确，只有规则能拒绝它们
WRONG["ex07_sgd"].update({
    "wraps_torch_sgd": (
        "class SGD:\n    def __init__(self, params, lr, momentum=0.0):\n"
        "        self.inner = torch.optim.SGD(params, lr=lr, momentum=momentum)\n"
        "    def step(self):\n        self.inner.step()\n    def zero_grad(self):\n        self.inner.zero_grad()\n"
    ),
    "functional_sgd": (
        "from torch.optim._functional import sgd as _sgd\n"
        + _sgd(_INIT, (
            "        with torch.no_grad():\n"
            "            live = [i for i, p in enumerate(self.params) if p.grad is not None]\n"
            "            buffers = [self.buffers[i] for i in live]\n"
            "            _sgd([self.params[i] for i in live], [self.params[i].grad for i in live], buffers, weight_decay=0.0,\n"
            "                 momentum=self.momentum, lr=self.lr, dampening=0.0, nesterov=False, maximize=False)\n"
            "            for i, b in zip(live, buffers):\n                self.buffers[i] = b\n"
        ))
    ),
})
WRONG["ex07_rmsprop_update"].update({
    "torch_rmsprop": (
        _RMS + "    p = param.clone().requires_grad_()\n"
        "    optimizer = torch.optim.RMSprop([p], lr=lr, alpha=alpha, eps=eps)\n"
        "    optimizer.state[p]['step'] = torch.tensor(0.0)\n    optimizer.state[p]['square_avg'] = square_avg.clone()\n"
        "    p.grad = grad.clone()\n    optimizer.step()\n    return p.detach(), optimizer.state[p]['square_avg']\n"
    ),
    "functional_rmsprop": (
        "from torch.optim.rmsprop import rmsprop as _rmsprop\n" + _RMS
        + "    p, v = param.clone(), square_avg.clone()\n"
        "    _rmsprop([p], [grad.clone()], [v], [], [], [torch.tensor(0.0)], lr=lr, alpha=alpha, eps=eps, weight_decay=0.0,\n"
        "             momentum=0.0, centered=False, maximize=False)\n    return p, v\n"
    ),
})

RIGHT = {
    "ex07_sgd": {
        # A buffer starting at zeros gives b = μ·0 + g = g at the first step: the same as torch / 缓冲区从零开始，第一步 b = g，与 torch 相同
        "buffer_from_zeros": _sgd(
            _INIT.replace("[None] * len(self.params)", "[torch.zeros_like(p) for p in self.params]"),
            "        for i, p in enumerate(self.params):\n"
            "            if p.grad is None:\n                continue\n"
            "            if self.momentum:\n"
            "                self.buffers[i] = self.momentum * self.buffers[i] + p.grad\n"
            "                p.data.add_(self.buffers[i], alpha=-self.lr)\n"
            "            else:\n                p.data.add_(p.grad, alpha=-self.lr)\n",
        ),
        "torch_style": _sgd(_INIT, _momentum_step(_TORCH_UPDATE)),
        "dict_state_and_tuple": (
            "class SGD:\n"
            "    def __init__(self, params, lr, momentum=0.0):\n"
            "        self.params, self.lr, self.momentum, self.state = tuple(params), lr, momentum, {}\n"
            "    @torch.no_grad()\n"
            "    def step(self):\n"
            "        for p in self.params:\n"
            "            if p.grad is None:\n                continue\n"
            "            d = p.grad\n"
            "            if self.momentum:\n"
            "                if p in self.state:\n                    self.state[p].mul_(self.momentum).add_(d)\n"
            "                else:\n                    self.state[p] = torch.clone(d).detach()\n"
            "                d = self.state[p]\n"
            "            p.sub_(self.lr * d)\n"
            "    def zero_grad(self):\n"
            "        for p in self.params:\n            p.grad = None\n"
        ),
    },
    "ex07_rmsprop_update": {
        "addcmul_addcdiv": _RMS
        + "    v = torch.addcmul(square_avg * alpha, grad, grad, value=1 - alpha)\n"
        "    return torch.addcdiv(param, grad, v.sqrt() + eps, value=-lr), v\n",
        "clones_then_in_place": _RMS
        + "    v = square_avg.clone()\n    v.mul_(alpha).add_((1 - alpha) * grad.square())\n"
        "    new = param.clone()\n    new.sub_(lr * grad / v.sqrt().add(eps))\n    return (new, v)\n",
    },
    "ex07_fit_optim": {
        "functional_loss": _fit(
            "        loss = torch.nn.functional.mse_loss(model(xx), y, reduction='sum')\n"
            "        losses.append(float(loss))\n"
            "        optimizer.zero_grad(set_to_none=True)\n        loss.backward()\n        optimizer.step()\n",
            build="    optimizer = make_optimizer(list(model.parameters()))\n",
        ),
    },
}
