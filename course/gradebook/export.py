"""``course export``: the term's grades from nbgrader's gradebook as one CSV / 从 nbgrader 成绩库导出本学期成绩。

Read through nbgrader's own API, as ``nbgrader export`` does: every student, every assignment (a
lesson, sorted by name), each student's submission if any. A lesson's score is nbgrader's
``SubmittedAssignment.score`` less its ``late_submission_penalty``, never below 0; a lesson with no
submission scores 0. Two formats:

``csv``
    ``student_id``, then per lesson ``<lesson>`` (the score after the late penalty) and
    ``<lesson> late penalty`` (empty when nothing was submitted: that is how a missing lesson shows),
    then ``total`` and ``max total``.
``canvas``
    The gradebook CSV Canvas exports and imports (its importer, canvas-lms
    ``app/models/gradebook_importer.rb``, wants ``Student,ID,SIS User ID,SIS Login ID,Section`` first):
    one column per lesson headed by its bare name, a ``Points Possible`` second row with each lesson's
    maximum, then one row per student. Canvas reads a header ``Title (123)`` as "Canvas assignment
    123" (``Assignment.title_and_id``), so the points never go in the header. ``ID`` stays empty: Canvas
    reads a number there as its own user id, which nbgrader does not know, and a wrong one would grade
    another student; ``Section`` stays empty too. Canvas then finds each student by ``SIS User ID``
    (the nbgrader student id), else ``SIS Login ID``, else ``Student`` (the name). With ``--roster``
    (``student_id,name,email,role``; rows whose role is not student are skipped) ``Student`` is the
    roster's name and ``SIS Login ID`` its email; without one, or for a student it does not list (one
    warning names them), both are the student id. Roster students the gradebook lacks get no row.

Rows are sorted by student id and numbers written with ``:g``: the same gradebook gives the same
bytes. Nothing is written unless everything could be read; ``--out`` is replaced atomically.
Importing this module imports only the standard library (nbgrader is imported where it is read).
按 nbgrader 的 API 读取成绩；分数为扣除迟交罚分后的得分（不低于 0），未提交为 0。
csv：每个学生一行，每课两列（得分与迟交罚分，未提交时罚分为空），最后是总分与满分。
canvas：Canvas 导入的成绩表格式，第二行为各课满分（Points Possible）；名单提供姓名与登录邮箱。
同一成绩库总是得到相同的字节；读取全部成功后才写出，``--out`` 以原子方式替换。
"""

import contextlib
import csv
import enum
import io
import os
import sys
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from course.errors import UsageError
from course.gradebook import roster
from course.gradebook.store import final_score, open_gradebook

# Tables every nbgrader gradebook has; a database without them is not one / 每个 nbgrader 成绩库都有的表
GRADEBOOK_TABLES = {"student", "assignment", "submitted_assignment"}


class ExportFormat(enum.StrEnum):
    """What ``--format`` names / ``--format`` 的取值。"""

    CSV = "csv"
    CANVAS = "canvas"


class ExportError(UsageError):
    """Input that cannot be exported, with a bilingual message; nothing has been written / 无法导出的输入，尚未写出任何内容。"""


@dataclass(frozen=True)
class LessonGrade:
    """One student's result in one lesson / 一个学生在一课中的成绩。"""

    score: float  # after the late penalty, never below 0 / 扣除迟交罚分后，不低于 0
    late_penalty: float
    submitted: bool


@dataclass(frozen=True)
class StudentGrades:
    """One student's lessons, by name / 一个学生各课的成绩。"""

    student_id: str
    lessons: dict[str, LessonGrade]

    @property
    def total(self) -> float:
        return sum(grade.score for grade in self.lessons.values())


@dataclass(frozen=True)
class TermGrades:
    """What the gradebook holds: the lessons with their maximum scores, and every student / 成绩库中的全部成绩。"""

    max_scores: dict[str, float]  # lesson → points, sorted by lesson / 按课程名排序
    students: tuple[StudentGrades, ...]  # sorted by id / 按学号排序

    @property
    def lessons(self) -> list[str]:
        return list(self.max_scores)

    @property
    def max_total(self) -> float:
        return sum(self.max_scores.values())


@dataclass(frozen=True)
class RosterEntry:
    """A student as the course's roster names them / 名单中的一个学生。"""

    student_id: str
    name: str
    login: str  # Canvas's SIS Login ID: the roster's email / Canvas 的 SIS Login ID，即名单中的邮箱


def number(x: float) -> str:
    """How every score is written: ``:g``, and never ``-0`` / 分数的写法。"""
    return f"{x + 0.0:g}"


def _check_gradebook_url(db_url: str) -> None:
    """Refuse a URL that names no gradebook before nbgrader opens it: nbgrader would create an empty one.

    nbgrader 打开不存在的成绩库时会新建一个空库，因此先检查。
    """
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not Path(url.database).is_file():
            raise ExportError(
                f"no gradebook at {url.database} (run `course grade` first, or give --db-url) / "
                f"{url.database} 处没有成绩库（请先运行 `course grade`，或指定 --db-url）"
            )
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    if not GRADEBOOK_TABLES <= tables:
        raise ExportError(f"{db_url} is not an nbgrader gradebook / {db_url} 不是 nbgrader 成绩库")


def read_gradebook(db_url: str) -> TermGrades:
    """Every student's score in every lesson, from the gradebook at ``db_url`` / 读取成绩库中每个学生每课的成绩。"""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _check_gradebook_url(db_url)
            return _read_grades(db_url)
    except (SQLAlchemyError, ImportError, OSError) as error:  # a bad URL, a missing driver, an unreadable file
        raise ExportError(
            f"cannot open the gradebook {db_url}: {error} / 无法打开成绩库 {db_url}：{error}"
        ) from error


def _read_grades(db_url: str) -> TermGrades:
    from nbgrader.api import MissingEntry

    with open_gradebook(db_url) as gradebook:
        assignments = sorted(gradebook.assignments, key=lambda a: a.name)
        students = []
        for student in sorted(gradebook.students, key=lambda s: s.id):
            lessons = {}
            for assignment in assignments:
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                except MissingEntry:
                    lessons[assignment.name] = LessonGrade(score=0.0, late_penalty=0.0, submitted=False)
                    continue
                penalty = submission.late_submission_penalty or 0.0
                # As nbgrader's own CSV export: the penalty never takes a score below 0 / 与 nbgrader 自带的导出一致
                lessons[assignment.name] = LessonGrade(final_score(submission.score, penalty), penalty, submitted=True)
            students.append(StudentGrades(student.id, lessons))
        max_scores = {assignment.name: assignment.max_score for assignment in assignments}
    return TermGrades(max_scores, tuple(students))


def read_roster(path: Path) -> dict[str, RosterEntry]:
    """The students of the roster CSV at ``path`` (``course.gradebook.roster``), by id / 读取名单中的学生。

    Teaching assistants and instructors get no row. / 助教与教师不计入。
    """
    try:
        members = roster.read_roster(path)
    except roster.RosterError as error:
        raise ExportError(str(error)) from error
    return {
        m.student_id: RosterEntry(m.student_id, m.name, m.email or m.student_id) for m in members if m.role == roster.STUDENT
    }


def unlisted(term: TermGrades, roster: dict[str, RosterEntry]) -> list[str]:
    """The gradebook's students the roster does not list / 名单中没有的学生。"""
    return [s.student_id for s in term.students if s.student_id not in roster]


def _csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def to_csv(term: TermGrades) -> str:
    """The ``csv`` format (see the module's docstring) / csv 格式。"""
    header = ["student_id"]
    for lesson in term.lessons:
        header += [lesson, f"{lesson} late penalty"]
    rows = [[*header, "total", "max total"]]
    for student in term.students:
        row = [student.student_id]
        for lesson in term.lessons:
            grade = student.lessons[lesson]
            row += [number(grade.score), number(grade.late_penalty) if grade.submitted else ""]
        rows.append([*row, number(student.total), number(term.max_total)])
    return _csv_text(rows)


def to_canvas(term: TermGrades, roster: dict[str, RosterEntry] | None = None) -> str:
    """The ``canvas`` format (see the module's docstring) / Canvas 成绩表格式。"""
    roster = roster or {}
    rows = [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *term.lessons],
        ["Points Possible", "", "", "", "", *(number(points) for points in term.max_scores.values())],
    ]
    for student in term.students:
        entry = roster.get(student.student_id, RosterEntry(student.student_id, student.student_id, student.student_id))
        scores = [number(student.lessons[lesson].score) for lesson in term.lessons]
        rows.append([entry.name, "", student.student_id, entry.login, "", *scores])
    return _csv_text(rows)


def write_atomically(path: Path, data: bytes) -> None:
    """``data`` into ``path`` through a temporary file beside it, so a failure leaves the old file whole.

    先写入同目录的临时文件再改名，失败时原文件保持完整。
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)  # as open() would have made it, not mkstemp's 0600 / 与 open() 新建时相同
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error} / 无法写入 {path}：{error}") from error


def export_grades(
    fmt: ExportFormat,
    db_url: str,
    roster_path: Path | None = None,
    out: Path | None = None,
    warn: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
) -> bytes:
    """Read everything, then write ``fmt`` to ``out`` (when given); returns the bytes written.

    先读取全部输入，再写出；返回写出的字节。Raises ExportError before writing anything.
    """
    if roster_path is not None and fmt is not ExportFormat.CANVAS:
        raise ExportError("--roster applies to --format canvas only / --roster 只用于 --format canvas")
    roster = read_roster(roster_path) if roster_path is not None else None
    term = read_gradebook(db_url)
    if roster is not None and (missing := unlisted(term, roster)):
        warn(
            f"not in the roster, exported under their id: {', '.join(missing)} / "
            f"名单中没有以下学生，以学号导出：{'、'.join(missing)}"
        )
    text = to_csv(term) if fmt is ExportFormat.CSV else to_canvas(term, roster)
    data = text.encode("utf-8")
    if out is not None:
        write_atomically(out, data)
    return data
