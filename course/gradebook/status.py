"""``course status``: every submission of the term and where its grading stands / 本学期每份提交及其评阅进度。

Read from nbgrader's gradebook only: for each lesson and student, when it was submitted, its due date
(with the student's extension), how late, the score (automatic and manual), the late penalty, the
final score, and how many answers still wait for a person in formgrader. One summary line per lesson.
只读取 nbgrader 成绩库：每课每个学生的提交时间、截止时间（含延期）、迟交多久、得分、罚分、最终得分，以及还有多少答案等待人工评分。
"""

from dataclasses import dataclass

from course.gradebook.deadlines import from_gradebook_time
from course.gradebook.store import final_score, format_utc, open_gradebook

HEADER = ("lesson", "student", "submitted", "due", "late", "score", "penalty", "final", "to grade by hand")


@dataclass(frozen=True)
class Row:
    """One (lesson, student): what ``course status`` prints / 一行：某课某学生。"""

    lesson: str
    student: str
    submitted: str
    due: str
    late: str
    score: str
    penalty: str
    final: str
    by_hand: int


def _time(value) -> str:
    value = from_gradebook_time(value)
    return "" if value is None else format_utc(value)


def _late(seconds: float) -> str:
    if seconds <= 0:
        return ""
    hours = seconds / 3600
    return f"{hours / 24:.1f} d" if hours >= 24 else f"{hours:.1f} h"


def term_status(db_url: str) -> list[Row]:
    """Every (lesson, student) of the gradebook, lessons and students in order / 成绩库中的每个（课程，学生）。"""
    from nbgrader.api import MissingEntry

    rows = []
    with open_gradebook(db_url) as gradebook:
        students = sorted(s.id for s in gradebook.students)
        for assignment in sorted(gradebook.assignments, key=lambda a: a.name):
            for student in students:
                try:
                    submission = gradebook.find_submission(assignment.name, student)
                except MissingEntry:
                    rows.append(Row(assignment.name, student, "not submitted / 未提交", _time(assignment.duedate), "", "", "", "", 0))
                    continue
                penalty = submission.late_submission_penalty or 0.0
                due = submission.duedate if assignment.duedate is not None else None
                waiting = sum(1 for notebook in submission.notebooks for grade in notebook.grades
                              if grade.needs_manual_grade and grade.manual_score is None)  # fmt: skip
                rows.append(Row(
                    assignment.name, student,
                    _time(submission.timestamp) or "time unknown / 时间未知", _time(due), _late(submission.total_seconds_late),
                    f"{submission.score:g}/{submission.max_score:g}", f"{penalty:g}", f"{final_score(submission.score, penalty):g}", waiting,
                ))  # fmt: skip
    return rows


def format_status(rows: list[Row]) -> str:
    """A fixed-width table, then one summary line per lesson / 定宽表格，然后每课一行汇总。"""
    table = [HEADER, *((r.lesson, r.student, r.submitted, r.due, r.late, r.score, r.penalty, r.final, str(r.by_hand or "")) for r in rows)]
    widths = [max(len(str(line[i])) for line in table) for i in range(len(HEADER))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip() for line in table]
    for lesson in sorted({r.lesson for r in rows}):
        mine = [r for r in rows if r.lesson == lesson]
        submitted = [r for r in mine if r.score]
        late = sum(1 for r in submitted if r.late)
        by_hand = sum(r.by_hand for r in mine)
        lines.append(
            f"{lesson}: {len(submitted)}/{len(mine)} submitted, {late} late, {by_hand} answer(s) to grade by hand / "
            f"已提交 {len(submitted)}/{len(mine)}，迟交 {late}，待人工评分 {by_hand}"
        )
    return "\n".join(lines)
