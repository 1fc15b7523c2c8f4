"""helpers.checks accepts right answers and cannot be fooled by spoofed ones / helpers.checks 接受正确答案，且不会被伪造的答案欺骗。"""

import numpy as np
import pytest
import torch

from helpers.checks import assert_close, assert_shape, assert_type


def test_the_message_is_the_documented_bilingual_one():
    """The wrong-shape message reads as the course documents it / 形状错误的信息与课程文档一致"""
    with pytest.raises(AssertionError) as failure:
        assert_close(np.zeros(3), np.zeros(4), name="w")
    assert str(failure.value) == "w has the wrong shape: expected (4,), got (3,) / w 的形状不对：应为 (4,)，实际为 (3,)"


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9])),
        (np.array([1, 2]), np.array([1.0, 2.0])),
        (3.0, 3.0),
        (np.float64(3.0), 3.0),
        (3, 3.0),
        ([1.0, 2.0], [1.0, 2.0]),
        (np.array([1.0, 2.0]), [1.0, 2.0]),
        (torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])),
    ],
    ids=["ndarray", "int-array", "float", "numpy-float", "int", "list", "array-for-list", "tensor"],
)
def test_right_answers_pass(actual, expected):
    """Equal values of an accepted type pass / 类型可接受且数值相等时通过"""
    assert_close(actual, expected, rtol=1e-6)


class AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)


class Pretender:
    """Claims to be the expected array / 冒充期望的数组"""

    shape = (2,)

    def __array__(self, dtype=None, copy=None):
        return np.array([1.0, 2.0])

    def __eq__(self, other):
        return True


@pytest.mark.parametrize(
    ("actual", "expected", "says"),
    [
        (np.array([1.0, 2.5]), np.array([1.0, 2.0]), "is wrong at index 1"),
        (np.zeros(2).view(AlwaysEqual), np.array([1.0, 2.0]), "should be a numpy.ndarray"),
        (Pretender(), np.array([1.0, 2.0]), "should be a numpy.ndarray"),
        ([1.0, 2.0], np.array([1.0, 2.0]), "should be a numpy.ndarray"),
        (np.array(["1", "2"]), np.array([1.0, 2.0]), "should hold real numbers"),
        (np.array([1.0, np.nan]), np.array([1.0, 2.0]), "NaN"),
        (True, 1.0, "should be a real number"),
        ("8.0", 8.0, "should be a real number"),
        (np.array(8.0), 8.0, "should be a real number"),
        ([1.0, "2"], [1.0, 2.0], "[1] should be a real number"),
        ([1.0], [1.0, 2.0], "wrong length"),
        (torch.tensor([1.0, 2.0], dtype=torch.float64), torch.tensor([1.0, 2.0]), "wrong dtype"),
        (torch.nn.Parameter(torch.tensor([1.0, 2.0])), torch.tensor([1.0, 2.0]), "should be a torch.Tensor"),
        (np.array([1.0, 2.0]), torch.tensor([1.0, 2.0]), "should be a torch.Tensor"),
    ],
    ids=[
        "value", "eq-subclass", "array-pretender", "list-for-array", "strings", "nan", "bool", "string",
        "0d-array", "string-item", "length", "tensor-dtype", "tensor-subclass", "array-for-tensor",
    ],
)
def test_wrong_answers_fail_with_a_bilingual_reason(actual, expected, says):
    """Each wrong or spoofed answer fails and says why in both languages / 每个错误或伪造的答案都会失败并用双语说明原因"""
    with pytest.raises(AssertionError, match=r" / .*[\u4e00-\u9fff]") as failure:
        assert_close(actual, expected, name="w")
    assert says in str(failure.value)


def test_patched_comparison_functions_do_not_help(monkeypatch):
    """Monkey-patched np.allclose, np.isclose, torch.allclose and torch.equal change nothing / 替换比较函数没有用"""
    for module, name in ((np, "allclose"), (np, "isclose"), (np, "array_equal"), (torch, "allclose"), (torch, "equal")):
        monkeypatch.setattr(module, name, lambda *args, **kwargs: True)
    monkeypatch.setattr(np, "abs", lambda values: np.zeros_like(values))
    monkeypatch.setattr(torch.Tensor, "dtype", property(lambda self: torch.float32), raising=False)
    with pytest.raises(AssertionError):
        assert_close(np.array([0.0, 0.0]), np.array([1.0, 2.0]))
    with pytest.raises(AssertionError):
        assert_close(torch.zeros(2), torch.tensor([1.0, 2.0]))
    with pytest.raises(AssertionError, match="wrong dtype"):
        assert_close(torch.zeros(2, dtype=torch.float64), torch.zeros(2))


def test_tolerances_are_relative_and_absolute():
    """|actual − expected| ≤ atol + rtol·|expected| / 容差为 atol + rtol·|expected|"""
    assert_close(1.0 + 1e-7, 1.0, rtol=1e-6)
    with pytest.raises(AssertionError):
        assert_close(1.0 + 1e-5, 1.0, rtol=1e-6)
    assert_close(1e-9, 0.0, atol=1e-8)
    with pytest.raises(AssertionError):
        assert_close(1e-9, 0.0)


def test_assert_type_and_shape():
    """Exact types and shapes, with bilingual messages / 精确的类型与形状检查，信息为双语"""
    assert_type(1.5, float)
    with pytest.raises(AssertionError, match="should be a float, got a numpy.float32 / .*应为 float"):
        assert_type(np.float32(1.5), float)
    assert_shape(torch.zeros(2, 3), (2, 3))
    with pytest.raises(AssertionError, match=r"expected \(3, 2\), got \(2, 3\)"):
        assert_shape(np.zeros((2, 3)), (3, 2))


def test_unsupported_expected_value_is_a_usage_error():
    """A test that compares against an unsupported kind is told so / 与不支持的类型比较时给出用法错误"""
    with pytest.raises(TypeError, match="cannot compare against a dict"):
        assert_close({}, {})
