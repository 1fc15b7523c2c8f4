"""Assertions the graded tests use, hard to fool / 评分测试使用的断言，难以被欺骗。Introduced in lesson 01.

Exact types are checked before any value is looked at, and every function used to compare is
captured when this module is imported. A learner's object that overrides ``__eq__``, ``__bool__``
or ``__array__``, a subclass of ``ndarray`` or ``Tensor``, or a monkey-patched ``np.allclose`` /
``torch.allclose`` therefore cannot make a wrong answer pass.
先检查精确类型，再比较数值；比较所用的函数在导入本模块时就已保存，因此重载 ``__eq__``、子类或
被替换的 ``np.allclose`` 都无法让错误答案通过。

Failure messages are bilingual: ``"w has the wrong shape: expected (4,), got (3,) / w 的形状不对：应为 (4,)，实际为 (3,)"``.
"""

import numpy as np

try:
    import torch
except ImportError:  # lesson 01 needs only NumPy / 第 01 课只需要 NumPy
    torch = None

# References captured at import, before any learner code runs / 在学生代码运行之前保存的引用
_type = type
_len = len
_repr = repr
_float = float
_ndarray = np.ndarray
_array = np.array
_abs = np.abs
_isfinite = np.isfinite
_isnan = np.isnan
_argmax = np.argmax
_unravel_index = np.unravel_index
_array2string = np.array2string
_float64 = np.float64
_REAL_NUMPY_SCALARS = frozenset(
    {np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint64, np.uint32, np.uint16, np.uint8}
)
_REAL_SCALARS = frozenset({int, float}) | _REAL_NUMPY_SCALARS
_NUMERIC_KINDS = frozenset("fiu")
if torch is not None:
    _Tensor = torch.Tensor
    # Read dtype, device and shape through the C base class: torch.Tensor's own attributes can be reassigned.
    _tensor_dtype = torch._C.TensorBase.dtype.__get__
    _tensor_device = torch._C.TensorBase.device.__get__
    _tensor_shape = torch._C.TensorBase.shape.__get__
    _detach = torch.Tensor.detach
    _cpu = torch.Tensor.cpu
    _to = torch.Tensor.to
    _tensor_numpy = torch.Tensor.numpy
    _is_floating_point = torch.Tensor.is_floating_point
    _is_complex = torch.Tensor.is_complex
    _torch_bool = torch.bool
    _torch_float64 = torch.float64


def _fail(english: str, chinese: str) -> None:
    raise AssertionError(f"{english} / {chinese}")


def _type_name(t: type) -> str:
    module = getattr(t, "__module__", "")
    qualname = getattr(t, "__qualname__", _repr(t))
    return qualname if module in ("builtins", "") else f"{module}.{qualname}"


def assert_type(actual, expected_type: type | tuple[type, ...], *, name: str = "value") -> None:
    """``actual`` has exactly this type (or one of these types); subclasses are refused.

    actual 的类型必须恰好是给定类型之一，子类不算。
    """
    allowed = expected_type if _type(expected_type) is tuple else (expected_type,)
    if _type(actual) not in allowed:
        wanted = " or ".join(_type_name(t) for t in allowed)
        wanted_zh = " 或 ".join(_type_name(t) for t in allowed)
        _fail(
            f"{name} should be a {wanted}, got a {_type_name(_type(actual))}",
            f"{name} 应为 {wanted_zh} 类型，实际为 {_type_name(_type(actual))}",
        )


def assert_shape(actual, expected_shape: tuple[int, ...], *, name: str = "value") -> None:
    """An ndarray's or tensor's shape equals ``expected_shape`` (its exact type is checked first).

    数组或张量的形状必须等于 expected_shape（先检查精确类型）。
    """
    _check_array_type(actual, name)
    got = tuple(actual.shape) if _type(actual) is _ndarray else tuple(_tensor_shape(actual))
    if got != tuple(expected_shape):
        _fail(
            f"{name} has the wrong shape: expected {tuple(expected_shape)}, got {got}",
            f"{name} 的形状不对：应为 {tuple(expected_shape)}，实际为 {got}",
        )


def assert_close(actual, expected, *, name: str = "value", rtol: float = 1e-7, atol: float = 0.0) -> None:
    """``actual`` matches ``expected`` in type, shape and value: ``|actual − expected| ≤ atol + rtol·|expected|``.

    The kind of ``expected`` says what ``actual`` must be: an ndarray → an ndarray (exactly, numeric
    dtype); a tensor → a tensor with the same dtype and device type; a real number → a Python or
    NumPy real number (not bool); a list or tuple of numbers → a list, tuple or 1-D ndarray of them.
    actual 必须在类型、形状和数值上与 expected 一致。
    """
    kind = _kind_of_expected(expected)
    actual_values = _values_of_actual(actual, kind, expected, name)
    expected_values = _array(_plain_values(expected, kind), dtype=_float64, copy=True)
    if actual_values.shape != expected_values.shape:
        what, what_zh = ("length", "长度") if kind == "sequence" else ("shape", "形状")
        got = actual_values.shape[0] if kind == "sequence" else actual_values.shape
        want = expected_values.shape[0] if kind == "sequence" else expected_values.shape
        _fail(f"{name} has the wrong {what}: expected {want}, got {got}", f"{name} 的{what_zh}不对：应为 {want}，实际为 {got}")
    bad = ~_isfinite(actual_values) & _isfinite(expected_values)
    if bad.any():
        _fail(f"{name} contains NaN or infinity", f"{name} 中含有 NaN 或无穷大")
    difference = _abs(actual_values - expected_values)
    tolerance = atol + rtol * _abs(expected_values)
    wrong = (difference > tolerance) | (_isnan(actual_values) != _isnan(expected_values))
    if wrong.any():
        if actual_values.ndim == 0:
            _fail(
                f"{name} is wrong: expected {_float(expected_values):.10g}, got {_float(actual_values):.10g}",
                f"{name} 的值不对：应为 {_float(expected_values):.10g}，实际为 {_float(actual_values):.10g}",
            )
        where = tuple(int(i) for i in _unravel_index(_argmax(wrong), wrong.shape))
        where = where[0] if _len(where) == 1 else where
        index = _repr(where)
        _fail(
            f"{name} is wrong at index {index}: expected {_short(expected_values)}, got {_short(actual_values)}",
            f"{name} 在下标 {index} 处的值不对：应为 {_short(expected_values)}，实际为 {_short(actual_values)}",
        )


def _kind_of_expected(expected) -> str:
    t = _type(expected)
    if t is _ndarray:
        return "ndarray"
    if torch is not None and t is _Tensor:
        return "tensor"
    if t in _REAL_SCALARS:
        return "scalar"
    if t in (list, tuple):
        return "sequence"
    raise TypeError(f"assert_close cannot compare against a {_type_name(t)} / assert_close 不能与 {_type_name(t)} 比较")


def _check_array_type(actual, name: str) -> None:
    allowed = (_ndarray, _Tensor) if torch is not None else (_ndarray,)
    assert_type(actual, allowed, name=name)


def _values_of_actual(actual, kind: str, expected, name: str) -> np.ndarray:
    """A float64 copy of ``actual``'s values, after its exact type has been checked."""
    if kind == "ndarray":
        assert_type(actual, _ndarray, name=name)
        if actual.dtype.kind not in _NUMERIC_KINDS:
            _fail(
                f"{name} should hold real numbers, got dtype {actual.dtype}",
                f"{name} 应包含实数，实际 dtype 为 {actual.dtype}",
            )
        return _array(actual, dtype=_float64, copy=True)
    if kind == "tensor":
        assert_type(actual, _Tensor, name=name)
        got_dtype, want_dtype = _tensor_dtype(actual), _tensor_dtype(expected)
        if got_dtype != want_dtype:
            _fail(
                f"{name} has the wrong dtype: expected {want_dtype}, got {got_dtype}",
                f"{name} 的 dtype 不对：应为 {want_dtype}，实际为 {got_dtype}",
            )
        got_device, want_device = _tensor_device(actual).type, _tensor_device(expected).type
        if got_device != want_device:
            _fail(
                f"{name} is on the wrong device: expected {want_device}, got {got_device}",
                f"{name} 所在的设备不对：应为 {want_device}，实际为 {got_device}",
            )
        if _is_complex(actual):
            _fail(f"{name} should hold real numbers", f"{name} 应包含实数")
        return _tensor_values(actual)
    if kind == "scalar":
        _check_real_scalar(actual, name)
        return _array(_float(actual), dtype=_float64)
    # A sequence: a list, a tuple or a 1-D ndarray of real numbers / 实数组成的列表、元组或一维数组
    if _type(actual) is _ndarray:
        if actual.ndim != 1 or actual.dtype.kind not in _NUMERIC_KINDS:
            _fail(
                f"{name} should be a 1-D sequence of real numbers, got an array of shape {actual.shape} and dtype {actual.dtype}",
                f"{name} 应为一维实数序列，实际为形状 {actual.shape}、dtype 为 {actual.dtype} 的数组",
            )
        return _array(actual, dtype=_float64, copy=True)
    assert_type(actual, (list, tuple, _ndarray), name=name)
    for i, item in enumerate(actual):
        _check_real_scalar(item, f"{name}[{i}]")
    return _array([_float(item) for item in actual], dtype=_float64).reshape(-1)


def _check_real_scalar(actual, name: str) -> None:
    if _type(actual) not in _REAL_SCALARS:
        _fail(
            f"{name} should be a real number (float), got a {_type_name(_type(actual))}",
            f"{name} 应为实数（float），实际为 {_type_name(_type(actual))}",
        )


def _tensor_values(tensor) -> np.ndarray:
    values = _cpu(_detach(tensor))
    if not _is_floating_point(values):
        values = _to(values, _torch_float64)
    return _array(_tensor_numpy(_to(values, _torch_float64)), dtype=_float64, copy=True)


def _plain_values(expected, kind: str):
    if kind == "tensor":
        return _tensor_values(expected)
    return expected


def _short(values: np.ndarray) -> str:
    return _array2string(values, precision=6, threshold=8, edgeitems=3, max_line_width=120)
