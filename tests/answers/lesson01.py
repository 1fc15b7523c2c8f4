"""Answers to lesson 01's exercises that the graders must reject (WRONG) or accept (RIGHT).
第 01 课练习中评分测试必须拒绝（WRONG）或接受（RIGHT）的答案。"""

WRONG = {
    "ex01_predict": {
        "wrong_power": "def predict(x, w):\n    a, b, c, d = w\n    return a + b * x + c * x**2 + d * x**2\n",
        "reversed_order": "def predict(x, w):\n    d, c, b, a = w\n    return a + b * x + c * x**2 + d * x**3\n",
        "polyval_order": "def predict(x, w):\n    return np.polyval(w, x)\n",
        "returns_list": "def predict(x, w):\n    a, b, c, d = w\n    return list(a + b * x + c * x**2 + d * x**3)\n",
        "drops_constant": "def predict(x, w):\n    a, b, c, d = w\n    return b * x + c * x**2 + d * x**3\n",
        "eq_spoof": (
            "class Anything(np.ndarray):\n"
            "    def __eq__(self, other):\n        return True\n"
            "def predict(x, w):\n    return np.zeros_like(x).view(Anything)\n"
        ),
        "patched_allclose": (
            "np.allclose = lambda *args, **kwargs: True\n"
            "np.testing.assert_allclose = lambda *args, **kwargs: None\n"
            "def predict(x, w):\n    return np.zeros_like(x)\n"
        ),
    },
    "ex01_loss": {
        "mean": "def sum_squared_error(y_pred, y):\n    return float(np.mean((y_pred - y) ** 2))\n",
        "absolute": "def sum_squared_error(y_pred, y):\n    return float(np.abs(y_pred - y).sum())\n",
        "no_square": "def sum_squared_error(y_pred, y):\n    return float((y_pred - y).sum())\n",
        "root": "def sum_squared_error(y_pred, y):\n    return float(np.sqrt(((y_pred - y) ** 2).sum()))\n",
        "half": "def sum_squared_error(y_pred, y):\n    return float(0.5 * ((y_pred - y) ** 2).sum())\n",
        "returns_array": "def sum_squared_error(y_pred, y):\n    return (y_pred - y) ** 2\n",
        "returns_string": "def sum_squared_error(y_pred, y):\n    return str(float(((y_pred - y) ** 2).sum()))\n",
        "mutates_input": (
            "def sum_squared_error(y_pred, y):\n    y_pred -= y\n    y_pred **= 2\n    return float(y_pred.sum())\n"
        ),
    },
    "ex01_gradients": {
        "missing_factor_2": (
            "def gradients(x, y, w):\n    g = predict(x, w) - y\n"
            "    return np.array([(g * x**k).sum() for k in range(4)])\n"
        ),
        "mean": (
            "def gradients(x, y, w):\n    g = 2.0 * (predict(x, w) - y)\n"
            "    return np.array([(g * x**k).mean() for k in range(4)])\n"
        ),
        "sign_flipped": (
            "def gradients(x, y, w):\n    g = 2.0 * (y - predict(x, w))\n"
            "    return np.array([(g * x**k).sum() for k in range(4)])\n"
        ),
        "wrong_power": (
            "def gradients(x, y, w):\n    g = 2.0 * (predict(x, w) - y)\n"
            "    return np.array([(g * x ** (k + 1)).sum() for k in range(4)])\n"
        ),
        "reversed_order": (
            "def gradients(x, y, w):\n    g = 2.0 * (predict(x, w) - y)\n"
            "    return np.array([(g * x**k).sum() for k in range(3, -1, -1)])\n"
        ),
        "shape_4x1": (
            "def gradients(x, y, w):\n    g = 2.0 * (predict(x, w) - y)\n"
            "    return np.array([[(g * x**k).sum()] for k in range(4)])\n"
        ),
        "returns_list": (
            "def gradients(x, y, w):\n    g = 2.0 * (predict(x, w) - y)\n"
            "    return [(g * x**k).sum() for k in range(4)]\n"
        ),
    },
    "ex01_fit": {
        "loss_after_update": (
            "def fit(x, y, w0, lr=1e-6, steps=2000):\n    w = np.array(w0, dtype=float)\n    losses = []\n"
            "    for _ in range(steps):\n        w = w - lr * gradients(x, y, w)\n"
            "        losses.append(sum_squared_error(predict(x, w), y))\n    return w, losses\n"
        ),
        "gradient_ascent": (
            "def fit(x, y, w0, lr=1e-6, steps=2000):\n    w = np.array(w0, dtype=float)\n    losses = []\n"
            "    for _ in range(steps):\n        losses.append(sum_squared_error(predict(x, w), y))\n"
            "        w = w + lr * gradients(x, y, w)\n    return w, losses\n"
        ),
        "mutates_w0": (
            "def fit(x, y, w0, lr=1e-6, steps=2000):\n    w = np.asarray(w0, dtype=float)\n    losses = []\n"
            "    for _ in range(steps):\n        losses.append(sum_squared_error(predict(x, w), y))\n"
            "        w -= lr * gradients(x, y, w)\n    return w, losses\n"
        ),
        "one_step_short": (
            "def fit(x, y, w0, lr=1e-6, steps=2000):\n    w = np.array(w0, dtype=float)\n    losses = []\n"
            "    for _ in range(steps - 1):\n        losses.append(sum_squared_error(predict(x, w), y))\n"
            "        w = w - lr * gradients(x, y, w)\n    return w, losses\n"
        ),
        "extra_loss_at_end": (
            "def fit(x, y, w0, lr=1e-6, steps=2000):\n    w = np.array(w0, dtype=float)\n    losses = []\n"
            "    for _ in range(steps):\n        losses.append(sum_squared_error(predict(x, w), y))\n"
            "        w = w - lr * gradients(x, y, w)\n"
            "    losses.append(sum_squared_error(predict(x, w), y))\n    return w, losses\n"
        ),
        "ignores_lr": (
            "def fit(x, y, w0, lr=1e-6, steps=2000):\n    w = np.array(w0, dtype=float)\n    losses = []\n"
            "    for _ in range(steps):\n        losses.append(sum_squared_error(predict(x, w), y))\n"
            "        w = w - 1e-6 * gradients(x, y, w)\n    return w, losses\n"
        ),
        "wrong_default_lr": (
            "def fit(x, y, w0, lr=1e-5, steps=2000):\n    w = np.array(w0, dtype=float)\n    losses = []\n"
            "    for _ in range(steps):\n        losses.append(sum_squared_error(predict(x, w), y))\n"
            "        w = w - lr * gradients(x, y, w)\n    return w, losses\n"
        ),
        "returns_only_last_loss": (
            "def fit(x, y, w0, lr=1e-6, steps=2000):\n    w = np.array(w0, dtype=float)\n    loss = None\n"
            "    for _ in range(steps):\n        loss = sum_squared_error(predict(x, w), y)\n"
            "        w = w - lr * gradients(x, y, w)\n    return w, [loss]\n"
        ),
    },
    "ex01_best_cubic": {
        "taylor": "def best_cubic(x, y):\n    return np.array([0.0, 1.0, 0.0, -1.0 / 6.0])\n",
        "polyfit_order": "def best_cubic(x, y):\n    return np.polyfit(x, y, 3)\n",
        "lesson_constants": "def best_cubic(x, y):\n    return np.array([0.0, 0.856741, 0.0, -0.0933304])\n",
        "gradient_descent": (
            "def best_cubic(x, y):\n    w = np.zeros(4)\n    for _ in range(2000):\n"
            "        w = w - 1e-6 * gradients(x, y, w)\n    return w\n"
        ),
        "degree_two": (
            "def best_cubic(x, y):\n    design = np.stack([x**k for k in range(3)], axis=1)\n"
            "    w, *_ = np.linalg.lstsq(design, y, rcond=None)\n    return np.append(w, 0.0)\n"
        ),
    },
    "ex01_stable_lr": {
        "hessian_without_factor_2": (
            "def max_stable_lr(x):\n    X = np.stack([x**k for k in range(4)], axis=1)\n"
            "    return float(2.0 / np.linalg.eigvalsh(X.T @ X).max())\n"
        ),
        "one_over_lambda": (
            "def max_stable_lr(x):\n    X = np.stack([x**k for k in range(4)], axis=1)\n"
            "    return float(1.0 / np.linalg.eigvalsh(2.0 * X.T @ X).max())\n"
        ),
        "smallest_eigenvalue": (
            "def max_stable_lr(x):\n    X = np.stack([x**k for k in range(4)], axis=1)\n"
            "    return float(2.0 / np.linalg.eigvalsh(2.0 * X.T @ X).min())\n"
        ),
        "mean_loss_hessian": (
            "def max_stable_lr(x):\n    X = np.stack([x**k for k in range(4)], axis=1)\n"
            "    return float(2.0 / np.linalg.eigvalsh(2.0 * X.T @ X / len(x)).max())\n"
        ),
        "trace_instead_of_lambda_max": (
            "def max_stable_lr(x):\n    X = np.stack([x**k for k in range(4)], axis=1)\n"
            "    return float(2.0 / np.trace(2.0 * X.T @ X))\n"
        ),
        "lesson_constant": "def max_stable_lr(x):\n    return 3.5579e-6\n",
    },
}

RIGHT = {
    "ex01_predict": {
        "horner": "def predict(x, w):\n    a, b, c, d = w\n    return ((d * x + c) * x + b) * x + a\n",
        "polyval": "def predict(x, w):\n    return np.polyval(np.asarray(w, dtype=float)[::-1], x)\n",
        "vander": "def predict(x, w):\n    return np.vander(x, 4, increasing=True) @ np.asarray(w, dtype=float)\n",
    },
    "ex01_loss": {
        "dot": "def sum_squared_error(y_pred, y):\n    r = y_pred - y\n    return float(r @ r)\n",
        "numpy_scalar": "def sum_squared_error(y_pred, y):\n    return np.sum((y_pred - y) ** 2)\n",
    },
    "ex01_gradients": {
        "matrix_form": (
            "def gradients(x, y, w):\n    X = np.vander(x, 4, increasing=True)\n"
            "    return 2.0 * X.T @ (X @ np.asarray(w, dtype=float) - y)\n"
        ),
    },
    "ex01_fit": {
        "array_losses": (
            "def fit(x, y, w0, lr=1e-6, steps=2000):\n    w = np.array(w0, dtype=float)\n    losses = np.empty(steps)\n"
            "    for t in range(steps):\n        losses[t] = sum_squared_error(predict(x, w), y)\n"
            "        w -= lr * gradients(x, y, w)\n    return w, losses\n"
        ),
    },
    "ex01_best_cubic": {
        "normal_equations": (
            "def best_cubic(x, y):\n    X = np.vander(x, 4, increasing=True)\n"
            "    return np.linalg.solve(X.T @ X, X.T @ y)\n"
        ),
        "polyfit_reversed": "def best_cubic(x, y):\n    return np.polyfit(x, y, 3)[::-1]\n",
    },
    "ex01_stable_lr": {
        "singular_values": (
            "def max_stable_lr(x):\n    X = np.vander(x, 4, increasing=True)\n"
            "    return 1.0 / np.linalg.svd(X, compute_uv=False)[0] ** 2\n"
        ),
    },
}
