"""Answers to lesson 08's exercises that the graders must reject (WRONG) or accept (RIGHT).
第 08 课练习中评分测试必须拒绝（WRONG）或接受（RIGHT）的答案。"""

_FOUR = (
    "        self.a = nn.Parameter(torch.randn(()))\n"
    "        self.b = nn.Parameter(torch.randn(()))\n"
    "        self.c = nn.Parameter(torch.randn(()))\n"
    "        self.d = nn.Parameter(torch.randn(()))\n"
)
_STRING3 = '        return f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3"\n'


def _polynomial(init: str = _FOUR, forward: str = "        return self.a + self.b * x + self.c * x**2 + self.d * x**3\n",
                string: str = _STRING3) -> str:
    return (
        "class Polynomial3(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n" + init
        + "    def forward(self, x):\n" + forward
        + "    def string(self):\n" + string
    )


_CUBIC = "        y = self.a + self.b * x + self.c * x**2 + self.d * x**3\n"
_SHARED = "        for power in range(4, 4 + extra):\n            y = y + self.e * x**power\n        return y\n"
_STRING5 = (
    '        return (f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3"\n'
    '                f" + {self.e.item()} x^4 ? + {self.e.item()} x^5 ?")\n'
)


def _dynamic(forward: str = _CUBIC + _SHARED, init: str = _FOUR + "        self.e = nn.Parameter(torch.randn(()))\n",
             string: str = _STRING5) -> str:
    return (
        "class DynamicNet(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n" + init
        + "    def forward(self, x, extra):\n" + forward
        + "    def string(self):\n" + string
    )


# The correct step, in pieces that the wrong answers change one at a time / 正确的一步，拆成可逐一改错的片段
_LOSS = "        loss = (model(x) - y).pow(2).sum()\n        losses.append(loss.item())\n"
_RESET = "        model.zero_grad()\n"
_BACKWARD = "        loss.backward()\n"
_UPDATE = (
    "        with torch.no_grad():\n"
    "            for p in model.parameters():\n"
    "                if p.grad is not None:\n"
    "                    p -= lr * p.grad\n"
)


def _train(step: str = _LOSS + _RESET + _BACKWARD + _UPDATE, after: str = "") -> str:
    return (
        "def train_fixed(model, x, y, lr, steps):\n"
        "    losses = []\n    for step in range(steps):\n" + step + after + "    return losses\n"
    )


WRONG = {
    "ex08_polynomial": {
        "plain_tensors": _polynomial(init=(
            "        self.a = torch.randn((), requires_grad=True)\n"
            "        self.b = torch.randn((), requires_grad=True)\n"
            "        self.c = torch.randn((), requires_grad=True)\n"
            "        self.d = torch.randn((), requires_grad=True)\n"
        )),
        "one_vector_parameter": (
            "class Polynomial3(nn.Module):\n"
            "    def __init__(self):\n        super().__init__()\n"
            "        self.w = nn.Parameter(torch.randn(4))\n"
            "    def forward(self, x):\n"
            "        return self.w[0] + self.w[1] * x + self.w[2] * x**2 + self.w[3] * x**3\n"
            "    def string(self):\n"
            "        a, b, c, d = self.w.tolist()\n"
            '        return f"y = {a} + {b} x + {c} x^2 + {d} x^3"\n'
        ),
        "wrong_power": _polynomial(forward="        return self.a + self.b * x + self.c * x**2 + self.d * x**2\n"),
        "string_wrong_order": _polynomial(string=(
            '        return f"y = {self.d.item()} + {self.c.item()} x + {self.b.item()} x^2 + {self.a.item()} x^3"\n'
        )),
        "string_rounded": _polynomial(string=(
            '        return f"y = {self.a.item():.4f} + {self.b.item():.4f} x + {self.c.item():.4f} x^2 + {self.d.item():.4f} x^3"\n'
        )),
        "parameters_from_zeros": _polynomial(init=(
            "        self.a = nn.Parameter(torch.zeros(()))\n"
            "        self.b = nn.Parameter(torch.zeros(()))\n"
            "        self.c = nn.Parameter(torch.zeros(()))\n"
            "        self.d = nn.Parameter(torch.zeros(()))\n"
        )),
    },
    "ex08_dynamic_net": {
        "one_parameter_per_power": _dynamic(
            init=_FOUR + "        self.e = nn.Parameter(torch.randn(()))\n        self.f = nn.Parameter(torch.randn(()))\n",
            forward=_CUBIC + "        if extra >= 1:\n            y = y + self.e * x**4\n"
            "        if extra >= 2:\n            y = y + self.f * x**5\n        return y\n",
        ),
        "powers_from_5": _dynamic(forward=_CUBIC + _SHARED.replace("range(4, 4 + extra)", "range(5, 5 + extra)")),
        "extra_ignored": _dynamic(forward=_CUBIC + _SHARED.replace("range(4, 4 + extra)", "range(4, 6)")),
        "tutorial_random_draw": _dynamic(forward=_CUBIC + _SHARED.replace("range(4, 4 + extra)", "range(4, random.randint(4, 6))")),
        "e_once_after_the_loop": _dynamic(forward=_CUBIC + (
            "        for power in range(4, 4 + extra):\n            term = x**power\n"
            "        if extra > 0:\n            y = y + self.e * term\n        return y\n"
        )),
        "one_term_too_many": _dynamic(forward=_CUBIC + _SHARED.replace("range(4, 4 + extra)", "range(4, 5 + extra)")),
        "string_without_question_marks": _dynamic(string=(
            '        return (f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3"\n'
            '                f" + {self.e.item()} x^4 + {self.e.item()} x^5")\n'
        )),
    },
    "ex08_fix_training_loop": {
        # Each of train_buggy's four bugs left in alone / train_buggy 的四个错误，每次只留一个
        "gradients_never_reset": _train(_LOSS + _BACKWARD + _UPDATE),
        "in_place_on_saved_tensor": _train(
            "        residual = model(x) - y\n        loss = residual.pow(2).sum()\n        losses.append(loss.item())\n"
            "        if residual.abs_().max() > 1e6:\n            break\n" + _RESET + _BACKWARD + _UPDATE
        ),
        "update_tracked_by_autograd": _train(
            _LOSS + _RESET + _BACKWARD
            + "        for p in model.parameters():\n            if p.grad is not None:\n                p -= lr * p.grad\n"
        ),
        "backward_after_the_loop": _train(_LOSS + _RESET + _UPDATE, after="    loss.backward()\n"),
        "loss_after_the_update": _train(
            "        loss = (model(x) - y).pow(2).sum()\n" + _RESET + _BACKWARD + _UPDATE
            + "        with torch.no_grad():\n            losses.append((model(x) - y).pow(2).sum().item())\n"
        ),
        "mean_instead_of_sum": _train(_LOSS.replace(".sum()", ".mean()") + _RESET + _BACKWARD + _UPDATE),
    },
}

RIGHT = {
    "ex08_polynomial": {
        "registered_in_a_loop_horner": (
            "class Polynomial3(nn.Module):\n"
            "    def __init__(self):\n        super().__init__()\n"
            "        for name in 'abcd':\n"
            "            self.register_parameter(name, nn.Parameter(torch.randn(())))\n"
            "    def forward(self, x):\n"
            "        return self.a + x * (self.b + x * (self.c + x * self.d))\n"
            "    def string(self):\n"
            "        a, b, c, d = (float(p) for p in (self.a, self.b, self.c, self.d))\n"
            "        return 'y = ' + str(a) + ' + ' + str(b) + ' x + ' + str(c) + ' x^2 + ' + str(d) + ' x^3'\n"
        ),
    },
    "ex08_dynamic_net": {
        "sum_of_powers": _dynamic(forward=(
            "        y = self.a + self.b * x + self.c * x.pow(2) + self.d * x.pow(3)\n"
            "        return y + self.e * sum(x.pow(p) for p in range(4, 4 + extra))\n"
        )),
        "parameter_list_free_string": (
            "class DynamicNet(nn.Module):\n"
            "    def __init__(self):\n        super().__init__()\n"
            "        for name in ('a', 'b', 'c', 'd', 'e'):\n"
            "            setattr(self, name, nn.Parameter(torch.randn(())))\n"
            "    def forward(self, x, extra):\n"
            "        y = self.a + self.b * x + self.c * x**2 + self.d * x**3\n"
            "        power = 4\n"
            "        while power < 4 + extra:\n"
            "            y = y + self.e * x**power\n"
            "            power += 1\n"
            "        return y\n"
            "    def string(self):\n"
            "        a, b, c, d, e = (p.item() for p in self.parameters())\n"
            "        return 'y = {} + {} x + {} x^2 + {} x^3 + {} x^4 ? + {} x^5 ?'.format(a, b, c, d, e, e)\n"
        ),
    },
    "ex08_fix_training_loop": {
        "torch_optim_sgd": (
            "def train_fixed(model, x, y, lr, steps):\n"
            "    optimizer = torch.optim.SGD(model.parameters(), lr=lr)\n"
            "    losses = []\n"
            "    for _ in range(steps):\n"
            "        loss = torch.nn.functional.mse_loss(model(x), y, reduction='sum')\n"
            "        losses.append(float(loss))\n"
            "        optimizer.zero_grad()\n"
            "        loss.backward()\n"
            "        optimizer.step()\n"
            "    return losses\n"
        ),
        "reset_after_the_update": (
            "def train_fixed(model, x, y, lr, steps):\n"
            "    losses = []\n"
            "    for _ in range(steps):\n"
            "        residual = model(x) - y\n"
            "        loss = (residual * residual).sum()\n"
            "        losses.append(loss.item())\n"
            "        loss.backward()\n"
            "        with torch.no_grad():\n"
            "            for p in model.parameters():\n"
            "                p.sub_(lr * p.grad)\n"
            "                p.grad = None\n"
            "    return losses\n"
        ),
    },
}
