"""Round trips through nbgrader: the solution scores full marks, the untouched student notebook 0.
经由 nbgrader 的完整流程：提交答案得满分，原样提交学生版得 0 分。

Stock ``nbgrader autograde`` grades lesson 01, which shows the notebooks and nbgrader_config.py work
with nbgrader as it is; ``course grade`` (nbgrader's gradebook, sandboxed kernels) grades every lesson.
"""

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lesson_cells import LAYOUT, copy_course, grading_cells, read
from nbgrader.api import Gradebook

from course.grading.pipeline import course_lessons
from course.layout import CourseLayout

LESSONS = LAYOUT.lessons()
STUDENTS = {"solution_student": LAYOUT.source_dir, "untouched_student": LAYOUT.release_dir}


def max_points(lesson: str) -> float:
    return sum(c.metadata.nbgrader.points for c in grading_cells(read(LAYOUT.source_notebook(lesson))).values())


def submit(submitted: Path, lessons: list[str]) -> None:
    for lesson in lessons:
        for student, source in STUDENTS.items():
            target = CourseLayout.lesson_file(submitted / student, lesson)
            target.parent.mkdir(parents=True)
            shutil.copy(CourseLayout.lesson_file(source, lesson), target)


def assert_full_marks_and_zero(db_url: str, lesson: str) -> None:
    """In the gradebook: the solution has every point, the untouched notebook none / 成绩库中：答案满分，未作答为 0"""
    with Gradebook(db_url) as gradebook:
        solution = gradebook.find_submission_notebook(lesson, lesson, "solution_student")
        untouched = gradebook.find_submission_notebook(lesson, lesson, "untouched_student")
        tests = set(grading_cells(read(LAYOUT.source_notebook(lesson))))
        automatic = [g for g in solution.grades if g.name in tests]
        assert sum(g.max_score for g in automatic) == max_points(lesson) > 0
        assert all(g.score == g.max_score for g in automatic), {g.name: g.score for g in automatic if g.score != g.max_score}
        # A written answer waits for the instructor in formgrader / 书面答案等待教师在 formgrader 中评分
        assert all(g.needs_manual_grade and not g.score for g in solution.grades if g.name not in tests)
        assert untouched.score == 0, {g.name: g.score for g in untouched.grades if g.score}


def test_stock_nbgrader_autograde_round_trip(tmp_path):
    """nbgrader autograde, as an instructor runs it: full marks and 0 / 原生 nbgrader autograde：满分与 0 分"""
    lesson = LESSONS[0]
    copy_course(tmp_path)
    submit(tmp_path / "submitted", [lesson])
    env = CourseLayout.tools_on_path()  # nbgrader runs `alembic` by name / nbgrader 按名称调用 `alembic`
    for args in (["generate_assignment", lesson, "--force"], ["autograde", lesson, "--force"]):
        result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
    assert_full_marks_and_zero(f"sqlite:///{tmp_path / 'gradebook.db'}", lesson)


@pytest.fixture(scope="module")
def every_lesson_graded(tmp_path_factory):
    """`course grade` over every lesson's solution and untouched student notebook / 对每课的答案与学生版运行 `course grade`"""
    base = tmp_path_factory.mktemp("every-lesson")
    submit(base / "submitted", LESSONS)
    command = [sys.executable, "-m", "course", "grade", str(base / "submitted"), "--out", str(base / "grades.csv"),
               "--db-url", f"sqlite:///{base / 'gradebook.db'}", "--timeout", "120", "--autograded", str(base / "autograded")]
    result = subprocess.run(command, cwd=LAYOUT.root, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return base


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_scores_full_marks_and_untouched_scores_zero(every_lesson_graded, lesson):
    """Full marks for the solution, 0 for the untouched student notebook, in the gradebook / 成绩库中答案满分、学生版 0 分"""
    assert_full_marks_and_zero(f"sqlite:///{every_lesson_graded / 'gradebook.db'}", lesson)
    rows = [r for r in csv.DictReader((every_lesson_graded / "grades.csv").open(encoding="utf-8")) if r["assignment"] == lesson]
    manual = set(course_lessons(LAYOUT)[lesson].manual)
    assert {r["grade_id"] for r in rows if r["student_id"] == "solution_student" and r["status"] != "ok"} == manual
    assert all(r["status"] == "manual" for r in rows if r["grade_id"] in manual)
