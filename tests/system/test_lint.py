"""ruff finds nothing in helpers/, course/, tests/ and the notebooks / ruff 在 helpers/、course/、tests/ 和笔记本中没有发现问题。"""

import subprocess
import sys

from lesson_cells import ROOT


def test_ruff_check_is_clean():
    """`ruff check` passes on code and notebooks / 代码和笔记本都通过 `ruff check`"""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "helpers", "course", "tests", "benchmarks", "solutions", "notebooks", "nbgrader_config.py", "assignments/nbgrader_config.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
