"""Round trip through real nbgrader: the solution scores full marks, the untouched student notebook 0.
用真实的 nbgrader 走完整流程：提交答案得满分，原样提交学生版得 0 分。"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lesson_cells import NOTEBOOKS, ROOT, SOLUTIONS, grading_cells, lesson_notebooks, read
from nbgrader.api import Gradebook

LESSONS = [p.parent.name for p in lesson_notebooks(SOLUTIONS)]


def nbgrader(course, *args):
    """Run the nbgrader command line in ``course`` as an instructor would / 像教师一样在课程目录中运行 nbgrader"""
    # nbgrader runs `alembic` by name / nbgrader 按名称调用 `alembic`
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path},
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """A throwaway course: solutions and the untouched student notebook submitted, then autograded."""
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(SOLUTIONS, course / "solutions")
    for lesson in LESSONS:
        nbgrader(course, "generate_assignment", lesson, "--force")
        for student, source in (("solution_student", SOLUTIONS), ("untouched_student", NOTEBOOKS)):
            target = course / "submitted" / student / lesson
            target.mkdir(parents=True)
            shutil.copy(source / lesson / f"{lesson}.ipynb", target)
        nbgrader(course, "autograde", lesson, "--force")
    return course


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_scores_full_marks_and_untouched_scores_zero(graded_course, lesson):
    """Full marks for the solution, 0 for the untouched student notebook / 答案满分，未作答的学生版 0 分"""
    expected_max = sum(c.metadata.nbgrader.points for c in grading_cells(read(SOLUTIONS / lesson / f"{lesson}.ipynb")).values())
    with Gradebook(f"sqlite:///{graded_course / 'gradebook.db'}") as gradebook:
        solution = gradebook.find_submission_notebook(lesson, lesson, "solution_student")
        untouched = gradebook.find_submission_notebook(lesson, lesson, "untouched_student")
        assert solution.max_score == expected_max > 0
        failed = {g.name: g.score for g in solution.grades if g.score != g.max_score}
        assert solution.score == expected_max, f"solution lost points / 答案被扣分: {failed}"
        assert untouched.score == 0, {g.name: g.score for g in untouched.grades if g.score}
