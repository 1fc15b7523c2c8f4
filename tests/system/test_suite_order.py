"""The suite's schedule names real modules: a renamed long module would silently go back to the end of the run.
测试调度中列出的模块都真实存在：改名后的长模块会悄悄回到运行的末尾。"""

from conftest import LONGEST_FIRST
from lesson_cells import ROOT


def test_the_longest_modules_listed_first_exist():
    """Every module of LONGEST_FIRST is a file of the suite / LONGEST_FIRST 中的每个模块都存在"""
    assert [path for path in LONGEST_FIRST if not (ROOT / path).is_file()] == []
    assert len(set(LONGEST_FIRST)) == len(LONGEST_FIRST)
