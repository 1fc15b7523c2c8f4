"""The instructor's term: due dates, extensions, late penalties, regrades that keep manual grades, autograded/.
教师的学期：截止时间、延期、迟交罚分、保留人工评分的重新评阅，以及 autograded/ 目录。
"""

import datetime as dt
import shutil
from pathlib import Path

import nbformat
import pytest
from lesson_cells import LAYOUT, copy_course
from nbgrader.coursedir import CourseDirectory

from course.cli import main
from course.gradebook.deadlines import (
    DeadlineError,
    describe_due,
    due_date,
    open_gradebook,
    parse_due,
    read_submitted_at,
)
from course.gradebook.status import format_status, term_status
from course.grading.batch import GradeOptions, grade_all
from course.grading.pipeline import course_lessons
from course.layout import CourseLayout
from course.results import Status

L01, L04 = "01_numpy_gradient_descent", "04_inplace_and_leaf_errors"
FULL = sum(course_lessons(LAYOUT)[L01].max_scores().values())
MANUAL = course_lessons(LAYOUT)[L04].manual  # lesson 04's written answer / 第 04 课的书面答案
UTC = dt.UTC


def test_due_dates_need_a_time_zone():
    """A due date is read with its offset and kept in UTC; a date without a zone is refused in both languages / 截止时间必须带时区"""
    assert parse_due("2026-12-01T23:59+08:00") == dt.datetime(2026, 12, 1, 15, 59, tzinfo=UTC)
    assert parse_due("2026-12-01 15:59Z") == dt.datetime(2026, 12, 1, 15, 59, tzinfo=UTC)
    for bad in ("2026-12-01T23:59", "tomorrow"):
        with pytest.raises(DeadlineError) as error:
            parse_due(bad)
        assert "2026-12-01T23:59+08:00" in str(error.value) and "时" in str(error.value)


def test_learners_are_told_how_long_is_left():
    """'due … (in 3 days)' before, 'past due since …' after, in both languages / 截止前后的提示"""
    due = dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    before = describe_due(due, due - dt.timedelta(days=3, hours=2))
    assert before == "due 2026-12-01 12:00 UTC (in 3 days) / 截止时间 2026-12-01 12:00 UTC（还有 3 天）"
    after = describe_due(due, due + dt.timedelta(hours=5))
    assert after.startswith("past due since 2026-12-01 12:00 UTC (5 hours ago)") and "已过截止时间" in after


@pytest.mark.parametrize(
    ("content", "expected"),
    [("2026-11-23 10:00:00.000000 UTC", "2026-11-23T10:00:00Z"), ("2026-11-23 18:00:00 +0800", "2026-11-23T10:00:00Z"),
     (None, "missing"), ("yesterday", "unreadable"), ("2026-11-23 10:00:00", "unreadable"), (b"\xff\xfe", "unreadable")],
    ids=["nbgrader_utc", "offset", "missing", "words", "no_zone", "not_text"],
)  # fmt: skip
def test_submission_times_are_read_or_said_unknown(tmp_path, content, expected):
    """timestamp.txt as nbgrader writes it; missing or unreadable ones are named, never taken for on time / 提交时间"""
    if content is not None:
        (tmp_path / "timestamp.txt").write_bytes(content if isinstance(content, bytes) else content.encode())
    assert read_submitted_at(tmp_path).describe() == expected


def test_a_linked_timestamp_is_not_read(tmp_path):
    """A timestamp.txt that is a link is unreadable, whatever it points to / 链接形式的 timestamp.txt 不会被读取"""
    (tmp_path / "elsewhere.txt").write_text("2026-11-20 10:00:00.000000 UTC")
    (tmp_path / "timestamp.txt").symlink_to(tmp_path / "elsewhere.txt")
    assert read_submitted_at(tmp_path).describe() == "unreadable"


@pytest.fixture
def course(tmp_path):
    """A throwaway course: configuration and solutions, its own gradebook / 临时课程：配置、答案与独立的成绩库"""
    return copy_course(tmp_path / "course", release=True)


def test_course_check_tells_the_deadline_where_the_gradebook_is_readable(course):
    """A learner's check reads the course's gradebook (a class on one machine) and never creates one / 读取成绩库中的截止时间，从不创建成绩库"""
    from course.check import _due_for_learner

    assert _due_for_learner(course, L01) is None and not course.gradebook_path.exists()
    assert main_in(course, ["due", L01, "2020-01-01T00:00Z"]) == 0
    assert _due_for_learner(course, L01).startswith("past due since 2020-01-01 00:00 UTC")


def test_due_and_extend_commands(course, monkeypatch, capsys):
    """`course due` and `course extend` write nbgrader's fields; bad input exits 2 and changes nothing / 命令写入 nbgrader 的字段"""
    monkeypatch.chdir(course.root)
    assert main(["due", "99_nothing", "2026-12-01T12:00Z"]) == 2
    assert main(["due", L01, "2026-12-01T12:00"]) == 2
    assert not course.gradebook_path.exists()
    assert main(["due", L01, "2026-12-01T20:00+08:00"]) == 0
    assert due_date(course.gradebook_url, L01) == dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert main(["extend", "ada", L01, "-1"]) == 2
    assert main(["extend", "ada", L01, "36"]) == 0
    assert due_date(course.gradebook_url, L01, "ada") == dt.datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
    assert due_date(course.gradebook_url, L01, "bob") == dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert main(["due", L01, "none"]) == 0
    assert due_date(course.gradebook_url, L01) is None
    out = capsys.readouterr()
    assert "no time zone" in out.err and "没有时区" in out.err and "unknown lesson" in out.err


def _grade(course, submitted, tmp_path):
    options = GradeOptions(submitted=submitted, course=course, out=tmp_path / "out" / "grades.csv", jobs=2, timeout=60,
                           db_url=course.gradebook_url, autograded=course.autograded_dir, feedback=tmp_path / "feedback")  # fmt: skip
    return {(r.lesson, r.student): r for r in grade_all(options, log=lambda line: None)}


def _submit(submitted, student, lesson, when: str | None):
    notebook = CourseLayout.lesson_file(submitted / student, lesson)
    notebook.parent.mkdir(parents=True)
    shutil.copy(LAYOUT.source_notebook(lesson), notebook)
    if when is not None:
        (notebook.parent / "timestamp.txt").write_text(when)


def test_late_penalties_follow_the_policy_reset_on_regrade_and_keep_manual_grades(course, tmp_path):
    """Two days late costs the configured share per day, in the gradebook, the CSV and the feedback; an
    extension granted before grading spares it; moving the deadline and regrading removes the penalty; a
    manual score and comment given in formgrader survive the regrade, and the written answer scores them
    迟交两天按政策扣分（成绩库、CSV 与反馈一致）；事先延期则不扣；推迟截止时间后重新评阅，罚分取消；人工评分与评语保留"""
    submitted = tmp_path / "submitted"
    two_days_late = "2026-11-23 10:00:00.000000 UTC"
    _submit(submitted, "late", L01, two_days_late)
    _submit(submitted, "extended", L01, two_days_late)
    _submit(submitted, "ontime", L01, "2026-11-20 10:00:00.000000 UTC")
    _submit(submitted, "late", L04, two_days_late)
    assert main_in(course, ["due", L01, "2026-11-21T10:00Z"]) == 0
    assert main_in(course, ["extend", "extended", L01, "72"]) == 0

    graded = _grade(course, submitted, tmp_path)
    # The policy's fraction, read from nbgrader_config.py as nbgrader reads it / 政策的比例，与 nbgrader 一样从配置读取
    fraction = course.nbgrader_config().PerDayPenalty.fraction_per_day
    penalty = FULL * fraction * 2
    first = graded[(L01, "late")]
    assert first.total == FULL and first.seconds_late == 2 * 86400 and first.late_penalty == pytest.approx(penalty)
    assert graded[(L01, "extended")].late_penalty == 0 and graded[(L01, "ontime")].late_penalty == 0
    with open_gradebook(course.gradebook_url) as gradebook:
        assert gradebook.find_submission_notebook(L01, L01, "late").late_submission_penalty == pytest.approx(penalty)
    totals = (tmp_path / "out" / "grades.totals.csv").read_text(encoding="utf-8")
    assert f"late,{L01},{FULL:g},{FULL:g},ok,{penalty:g},{FULL - penalty:g},2026-11-23T10:00:00Z,172800" in totals
    feedback = CourseLayout.lesson_file(tmp_path / "feedback" / "late", L01, ".html").read_text(encoding="utf-8")
    assert f"Late submission penalty (Score: -{round(penalty, 2)})" in feedback
    # The learner sees the deadline that applied, and an extension moves it / 学习者看到适用的截止时间，延期后随之改变
    assert "Due 2026-11-21 10:00 UTC · submitted 2026-11-23T10:00:00Z · late: 48.0 h" in feedback and "截止时间 2026-11-21 10:00 UTC" in feedback
    extended = CourseLayout.lesson_file(tmp_path / "feedback" / "extended", L01, ".html").read_text(encoding="utf-8")
    assert "Due 2026-11-24 10:00 UTC" in extended and "late: no" in extended
    manual = {r.grade_id: r for r in graded[(L04, "late")].rows if r.grade_id in MANUAL}
    assert MANUAL and all(r.status is Status.MANUAL and r.score == 0 for r in manual.values())

    # The executed notebook, as it ran (released tests) with each hidden check's verdict, lies where nbgrader's autograde
    # puts it, for formgrader / 执行后的笔记本（发布版测试及每个隐藏检查的结论）位于 nbgrader autograde 放置之处，供 formgrader 打开
    coursedir = CourseDirectory(root=str(course.root))
    where = Path(coursedir.format_path(coursedir.autograded_directory, "late", L01))
    autograded = nbformat.read(where / f"{L01}.ipynb", as_version=4)
    sources = "".join(c.source for c in autograded.cells)
    shown = "".join(o.get("text", "") for c in autograded.cells for o in c.get("outputs", []))
    assert "BEGIN HIDDEN TESTS" not in sources and "__course_guard__" not in sources and "__course_restore__" not in sources
    assert "hidden check of ex01_fit: confirmed on fresh inputs" in shown
    assert all(c.execution_count for c in autograded.cells if c.cell_type == "code")
    assert (where / "timestamp.txt").read_text() == two_days_late

    with open_gradebook(course.gradebook_url) as gradebook:  # what an instructor does in formgrader / 教师在 formgrader 中的操作
        gradebook.find_grade("ex01_fit_test", L01, L01, "late").manual_score = 1.5
        gradebook.find_comment("ex01_fit", L01, L01, "late").manual_comment = "see me / 来找我"
        for grade_id, points in MANUAL.items():
            gradebook.find_grade(grade_id, L04, L04, "late").manual_score = points / 2
        gradebook.db.commit()
    assert main_in(course, ["due", L01, "2026-11-24T10:00Z"]) == 0  # the deadline moves / 截止时间推迟

    regraded = _grade(course, submitted, tmp_path)
    assert regraded[(L01, "late")].late_penalty == 0 and regraded[(L01, "late")].seconds_late == 0
    # The written answer now scores what the instructor gave / 书面答案现在得到教师给出的分数
    assert {r.grade_id: (r.status, r.score) for r in regraded[(L04, "late")].rows if r.grade_id in MANUAL} == {
        g: (Status.OK, MANUAL[g] / 2) for g in MANUAL}
    with open_gradebook(course.gradebook_url) as gradebook:
        assert gradebook.find_grade("ex01_fit_test", L01, L01, "late").manual_score == 1.5
        assert gradebook.find_comment("ex01_fit", L01, L01, "late").manual_comment == "see me / 来找我"
        assert gradebook.find_submission(L01, "extended").extension == dt.timedelta(hours=72)
        assert gradebook.find_submission_notebook(L01, L01, "late").late_submission_penalty in (None, 0)

    # course status lists every submission: 3 of lesson 01, and lesson 04's late and missing ones
    # course status 列出每份提交
    status = format_status(term_status(course.gradebook_url))
    for student in ("late", "extended", "ontime"):
        assert any(line.startswith(L01) and f" {student} " in line for line in status.splitlines())
    assert any(line.startswith(L04) and " ontime " in line and "not submitted" in line for line in status.splitlines())
    assert f"{L01}: 3/3 submitted, 0 late, 0 answer(s) to grade by hand" in status


def main_in(course, argv):
    import os

    here = os.getcwd()
    os.chdir(course.root)
    try:
        return main(argv)
    finally:
        os.chdir(here)
