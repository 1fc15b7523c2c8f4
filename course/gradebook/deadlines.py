"""Due dates, extensions and submission times, kept in nbgrader's gradebook / 截止时间、延期与提交时间（保存在 nbgrader 成绩库中）。

A lesson's due date is nbgrader's ``Assignment.duedate`` and a learner's extension its
``SubmittedAssignment.extension``, as ``nbgrader db assignment add --duedate`` and formgrader set
them; ``course due`` and ``course extend`` write the same fields. Times are explicit: a due date is
given with its UTC offset (``2026-12-01T23:59+08:00``) and stored in UTC, as nbgrader stores it.
A submission's time is nbgrader's ``timestamp.txt`` beside it, read without following a link; a
missing or unreadable one is said so per submission (``SubmittedAt.problem``), never taken for on time.
Importing this module imports only the standard library, ``course.notebook`` and ``course.gradebook.store``.
截止时间即 nbgrader 的 Assignment.duedate，延期即 SubmittedAssignment.extension；时间必须带时区并以 UTC 保存。
提交时间取自提交旁的 timestamp.txt（不跟随链接）；缺失或无法读取时逐份说明，绝不当作按时提交。
"""

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from course.bilingual import Text
from course.errors import UsageError
from course.gradebook.store import format_utc, open_gradebook
from course.safe_files import read_regular_file

TIMESTAMP_FILE = "timestamp.txt"
UTC = dt.UTC


class DeadlineError(UsageError, ValueError):
    """A due date, an extension or a lesson that cannot be used; the message is bilingual / 无法使用的截止时间、延期或课程。"""


def parse_due(text: str) -> dt.datetime:
    """An ISO 8601 time with its UTC offset (``Z`` for UTC), as an aware UTC datetime.

    解析带时区的 ISO 8601 时间（UTC 可写作 Z），返回 UTC 时间。
    """
    try:
        value = dt.datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise DeadlineError(
            f"{text!r} is not a date and time such as 2026-12-01T23:59+08:00 / {text!r} 不是形如 2026-12-01T23:59+08:00 的日期时间"
        ) from None
    if value.tzinfo is None:
        raise DeadlineError(
            f"{text!r} has no time zone: add its UTC offset, e.g. {text}+08:00 or {text}Z / "
            f"{text!r} 没有时区：请加上与 UTC 的时差，例如 {text}+08:00 或 {text}Z"
        )
    return value.astimezone(UTC)


@dataclass(frozen=True)
class SubmittedAt:
    """When a submission was made (UTC), or why that is unknown (``missing``, ``unreadable``) / 提交时间，或未知的原因。"""

    when: dt.datetime | None
    problem: str | None = None

    def describe(self) -> str:
        """``2026-11-28T10:00:00Z``, or the problem / 提交时间或问题。"""
        return self.problem if self.when is None else self.when.strftime("%Y-%m-%dT%H:%M:%SZ")


# nbgrader's own format: "2026-11-28 10:00:00.000000 UTC" (also with a numeric offset) / nbgrader 的格式
_NBGRADER_TIME = re.compile(r"^(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?)\s*(UTC|Z|[+-]\d\d:?\d\d)?$")


def read_submitted_at(folder: Path | None) -> SubmittedAt:
    """The time in ``folder/timestamp.txt`` as nbgrader writes it; ``missing`` when there is none,
    ``unreadable`` when it is a link, too big, or not a time with a zone / 读取提交时间；缺失或无法读取时说明原因。
    """
    if folder is None:
        return SubmittedAt(None, "missing")
    try:
        text = read_regular_file(Path(folder) / TIMESTAMP_FILE, 4095).decode("utf-8").strip()
    except FileNotFoundError:
        return SubmittedAt(None, "missing")
    except (OSError, UnicodeDecodeError):
        return SubmittedAt(None, "unreadable")
    match = _NBGRADER_TIME.match(text)
    if match is None or match.group(2) is None:  # no zone: nbgrader always writes one / 没有时区
        return SubmittedAt(None, "unreadable")
    zone = match.group(2)
    offset = "+00:00" if zone in ("UTC", "Z") else zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"
    try:
        return SubmittedAt(dt.datetime.fromisoformat(match.group(1).replace(" ", "T") + offset).astimezone(UTC))
    except ValueError:
        return SubmittedAt(None, "unreadable")


def as_gradebook_time(value: dt.datetime) -> dt.datetime:
    """The naive UTC datetime nbgrader's gradebook stores / 成绩库保存的无时区 UTC 时间。"""
    return value.astimezone(UTC).replace(tzinfo=None)


def from_gradebook_time(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)


def describe_due(due: dt.datetime, now: dt.datetime) -> str:
    """``due 2026-12-01 15:59 UTC (in 3 days)`` or ``past due since … / 已过截止时间 …``, in both languages.

    描述截止时间：还剩多久，或已过截止时间。
    """
    stamp = format_utc(due.astimezone(UTC))
    left = due - now
    if left.total_seconds() < 0:
        return Text(f"past due since {stamp} ({_span(-left, 'en')} ago)", f"已过截止时间 {stamp}（{_span(-left, 'zh')}前）")
    return Text(f"due {stamp} (in {_span(left, 'en')})", f"截止时间 {stamp}（还有 {_span(left, 'zh')}）")


def _span(delta: dt.timedelta, lang: str) -> str:
    seconds = delta.total_seconds()
    for size, en, zh in ((86400, "day", "天"), (3600, "hour", "小时"), (60, "minute", "分钟")):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {en}{'s' if count != 1 else ''}" if lang == "en" else f"{count} {zh}"
    return "less than a minute" if lang == "en" else "不到一分钟"


def ensure_recorded(course, db_url: str, lesson: str) -> None:
    """Record ``lesson`` (its notebook and graded cells) in the gradebook unless it is there: nbgrader refuses
    to add notebooks to a lesson once it has submissions, and an extension makes one.

    确保成绩库中已记录该课（笔记本与评分单元格）：一旦有了提交，nbgrader 不再允许为该课添加笔记本，而延期会创建提交。
    """
    from nbgrader.api import MissingEntry

    with open_gradebook(db_url) as gradebook:
        try:
            recorded = bool(gradebook.find_assignment(lesson).notebooks)
        except MissingEntry:
            recorded = False
    if not recorded:
        from course.gradebook.store import record_lessons

        record_lessons(course, db_url, [lesson])


def set_due(course, db_url: str, lesson: str, due: dt.datetime | None) -> None:
    """Set (or with None, clear) ``lesson``'s due date in the gradebook, recording the lesson there if needed.

    在成绩库中设置（None 则清除）某课的截止时间；该课尚未记录时先记录。
    """
    ensure_recorded(course, db_url, lesson)
    with open_gradebook(db_url) as gradebook:
        assignment = gradebook.update_or_create_assignment(lesson)
        assignment.duedate = None if due is None else as_gradebook_time(due)
        gradebook.db.commit()


def grant_extension(course, db_url: str, student: str, lesson: str, hours: float) -> dt.datetime | None:
    """Give ``student`` ``hours`` more for ``lesson`` (0 removes it; extensions replace, never add up, as in
    nbgrader). Returns the student's due date after it, if the lesson has one.

    给学生延期 hours 小时（0 表示取消；与 nbgrader 相同，延期是替换而不是累加），返回延期后的截止时间。
    """
    if not hours >= 0:
        raise DeadlineError(f"the extension must be 0 or more hours, not {hours} / 延期必须是 0 或更多小时，而不是 {hours}")
    ensure_recorded(course, db_url, lesson)
    with open_gradebook(db_url) as gradebook:
        assignment = gradebook.update_or_create_assignment(lesson)
        gradebook.update_or_create_student(student)
        submission = gradebook.update_or_create_submission(lesson, student)
        submission.extension = dt.timedelta(hours=hours) if hours else None
        gradebook.db.commit()
        # nbgrader's SubmittedAssignment.duedate fails without a due date / 没有截止时间时 nbgrader 的 duedate 会出错
        return None if assignment.duedate is None else from_gradebook_time(submission.duedate)


def due_date(db_url: str, lesson: str, student: str | None = None) -> dt.datetime | None:
    """``lesson``'s due date in the gradebook (with ``student``'s extension), or None / 某课的截止时间（含学生的延期）。"""
    from nbgrader.api import MissingEntry

    with open_gradebook(db_url) as gradebook:
        try:
            assignment = gradebook.find_assignment(lesson)
        except MissingEntry:
            return None
        if student is not None and assignment.duedate is not None:
            try:
                return from_gradebook_time(gradebook.find_submission(lesson, student).duedate)
            except MissingEntry:
                pass
        return from_gradebook_time(assignment.duedate)
