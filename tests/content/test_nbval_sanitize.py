"""The nbval sanitize file replaces exactly what legitimately varies / nbval 清理文件只替换合理变化的内容。"""


import pytest
from lesson_cells import LAYOUT

from course.authoring.execute import sanitize_patterns, sanitize_text

SANITIZE = LAYOUT.sanitize_path


def patterns() -> list[tuple[str, str]]:
    """(regex, replacement) pairs, parsed the way nbval parses them."""
    from nbval.plugin import get_sanitize_patterns

    return get_sanitize_patterns(SANITIZE.read_text(encoding="utf-8"))


def sanitize(text: str) -> str:
    """What `course execute` stores and what nbval compares / `course execute` 存储的与 nbval 比较的内容"""
    return sanitize_text(text, sanitize_patterns(SANITIZE))


def test_course_execute_reads_the_file_as_nbval_does():
    """The stored outputs are sanitized with exactly nbval's patterns / 存储输出时使用的正是 nbval 的模式"""
    assert [(p.pattern, r) for p, r in sanitize_patterns(SANITIZE)] == patterns()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("<Figure at 0x7f3a2c1b9d50>", "<Figure at 0x7ff0012345ab>"),
        ('File /tmp/ipykernel_4242/1234567.py:3', 'File /tmp/ipykernel_17/98.py:3'),
        ("/work/a/.venv/lib/python3.11/site-packages/torch/x.py", "/home/b/env/lib/python3.11/site-packages/torch/x.py"),
        ("File /root/.pyenv/versions/3.11.7/lib/python3.11/runpy.py:88", "File /usr/lib/python3.11/runpy.py:88"),
        ("File \x1b[32m/work/main/helpers/checks.py:12", "File \x1b[32m/home/me/course/helpers/checks.py:12"),
        ("tensor([1., 2.], device='cuda:0')", "tensor([1., 2.])"),
        ("device(type='cuda', index=0)", "device(type='cpu')"),
        ("torch.cuda.FloatTensor", "torch.FloatTensor"),
        ("[IPKernelApp] WARNING | Kernel is running over TCP without encryption. All ...\nloss 1.0", "loss 1.0"),
        ("deprecated. (Triggered internally at /__w/pytorch/pytorch/torch/csrc/x.cpp:434.)", "deprecated. (Triggered internally at C:\\b\\torch\\x.cpp:12.)"),
    ],
    ids=["address", "ipykernel-path", "site-packages", "python-lib", "course-modules", "cuda-suffix", "cuda-device", "cuda-type", "tcp-warning", "torch-source"],
)
def test_legitimate_differences_vanish(first, second):
    """Outputs differing only in what may vary compare equal / 只在可变部分不同的输出比较结果相等"""
    assert sanitize(first) == sanitize(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("  99    1942.5981", "  99    1942.5982"),
        ("tensor([1., 2.])", "tensor([1., 3.])"),
        ("tensor([1., 2.], dtype=torch.float64)", "tensor([1., 2.])"),
        ("RuntimeError: one of the variables ... is at version 1; expected version 0", "RuntimeError: ... is at version 2; expected version 0"),
    ],
    ids=["loss", "values", "dtype", "error-version"],
)
def test_real_differences_remain(first, second):
    """A changed number, dtype or message still fails nbval / 数值、dtype 或信息的变化仍会让 nbval 失败"""
    assert sanitize(first) != sanitize(second)


def test_every_rule_is_read_by_nbval():
    """nbval needs `replace: ` with its space even when empty; a stripped line drops the rule silently.
    即使替换为空，nbval 也需要带空格的 `replace: `；行尾空格被删掉时该规则会被悄悄忽略。"""
    text = SANITIZE.read_text(encoding="utf-8")
    assert len(patterns()) == text.count("\nregex: ") == text.count("\n[")
