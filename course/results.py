"""What grading says: a status per exercise, and one result per submission / 评阅的结论：每个练习的状态，每份提交的结果。

In the spirit of otter's ``GradingResults``: ``course check`` prints a ``SubmissionResult``,
``course grade`` writes the same object to the CSV files and the gradebook. Statuses are a
``Status`` enum, never bare strings. Importing this module imports only the standard library.
如同 otter 的 GradingResults：course check 打印它，course grade 把同一个对象写入 CSV 与成绩库。
"""

import enum
from dataclasses import dataclass, field

from course.bilingual import Text


class Status(enum.StrEnum):
    """How an exercise (or a whole submission) came out, from best to worst / 练习（或整份提交）的结果，由好到坏。

    The values are what the CSV files hold / 取值即 CSV 中的文字。
    """

    OK = "ok"  # every test passed / 所有测试通过
    MANUAL = "manual"  # an answer graded by hand, not graded yet / 人工评分的答案，尚未评分
    FAILED = "failed"  # a test failed or printed to stderr / 测试失败或向 stderr 输出
    TIMEOUT = "timeout"  # a cell ran over its time / 单元格超时
    ERROR = "error"  # the kernel died or never started, or the grader failed / 内核崩溃、未能启动或评阅程序出错
    INVALID = "invalid"  # the file is not a gradable notebook / 文件不是可评阅的笔记本
    LINKED = "linked"  # the notebook (or its folder) is a link, never followed / 笔记本（或其目录）是链接，不会被跟随
    MISSING = "missing"  # nothing submitted for the lesson / 这一课没有提交

    @property
    def rank(self) -> int:
        """0 for ``ok``, larger is worse / ok 为 0，越大越差。"""
        return list(Status).index(self)

    @classmethod
    def worst(cls, statuses) -> "Status":
        """The worst of ``statuses`` (``ok`` for none) / 最差的状态。"""
        return max(statuses, key=lambda s: cls(s).rank, default=cls.OK)


GRADER_FAILED = Text("the grader failed on this submission, nothing of it is scored: {error}", "评阅程序在这份提交上出错，不计任何分数：{error}")


@dataclass(frozen=True)
class CellProblem:
    """Why a cell has no trustworthy outputs: it timed out, or the kernel could not run it / 单元格为何没有可信的输出。"""

    status: Status
    message: str


@dataclass
class ExerciseResult:
    """One graded exercise: the sum of its test cells / 一个评分练习：其测试单元格之和。

    ``cell_scores`` holds what each test cell scores (its ``grade_id`` → points): what the gradebook
    records. ``confirmed`` is the hidden check's verdict (None where nothing was judged, as in
    ``course check``), ``verdict`` why it failed.
    cell_scores 是各测试单元格的得分（写入成绩库）；confirmed 是隐藏检查的结论（未评判时为 None），verdict 是未通过的原因。
    """

    grade_id: str
    status: Status
    score: float
    max_score: float
    message: str = ""
    cell_scores: dict[str, float] = field(default_factory=dict)
    confirmed: bool | None = None
    verdict: str = ""

    def to_dict(self) -> dict:
        return {"grade_id": self.grade_id, "status": str(self.status), "score": self.score,
                "max_score": self.max_score, "message": self.message}  # fmt: skip


@dataclass
class SubmissionResult:
    """One submission of one lesson: its rows, total, maximum and worst status; ``notebook`` is the
    executed graded notebook (as a dict) when one ran, for the gradebook and the feedback; ``student``
    is set by ``course grade``; ``observations`` holds the raw bytes the observing cells wrote, per
    exercise, until the grader has judged them (course.grading.judging).

    一份提交（某一课）：各练习的结果、总分、满分与最差状态；运行过时 notebook 是执行后的评分笔记本。
    """

    lesson: str
    rows: list[ExerciseResult] = field(default_factory=list)
    notebook: dict | None = None
    student: str | None = None
    observations: dict[str, str | None] | None = field(default=None, repr=False)
    timings: dict[str, float] = field(default_factory=dict, repr=False)  # seconds per phase / 各阶段秒数
    # When it was submitted (ISO UTC, or "missing" / "unreadable"), and what lateness cost, from the gradebook
    # 提交时间（ISO UTC，或 missing / unreadable）以及迟交的代价（取自成绩库）
    submitted_at: str | None = None
    late_penalty: float = 0.0
    seconds_late: float = 0.0
    grader_error: str = ""

    @property
    def total(self) -> float:
        return sum(r.score for r in self.rows)

    @property
    def max_score(self) -> float:
        return sum(r.max_score for r in self.rows)

    @property
    def status(self) -> Status:
        return Status.worst(r.status for r in self.rows)

    @property
    def passed(self) -> int:
        """How many exercises are ``ok`` / 状态为 ok 的练习数。"""
        return sum(r.status is Status.OK for r in self.rows)

    @property
    def automatic(self) -> list["ExerciseResult"]:
        """The rows graded by tests, not by hand / 由测试评分（而非人工评分）的行。"""
        return [r for r in self.rows if r.status is not Status.MANUAL]

    @classmethod
    def not_graded(cls, lesson: str, max_scores: dict[str, float], status: Status, message: str) -> "SubmissionResult":
        """Every exercise 0 with ``status`` and ``message``: nothing ran / 未运行：每个练习 0 分，并给出状态与原因。"""
        return cls(lesson, [ExerciseResult(grade_id, status, 0.0, most, message) for grade_id, most in max_scores.items()])

    @classmethod
    def grader_failed(cls, lesson: str, max_scores: dict[str, float], error: str) -> "SubmissionResult":
        """The grader itself failed on this submission: every exercise ``error``, 0 points, and the reason kept.

        评阅程序本身在这份提交上出错：每个练习记为 error、0 分，并保留原因。
        """
        result = cls.not_graded(lesson, max_scores, Status.ERROR, GRADER_FAILED.format(error=error))
        result.grader_error = error
        return result

    def to_dict(self) -> dict:
        return {"student": self.student, "lesson": self.lesson, "total": self.total, "max_score": self.max_score, "status": str(self.status),
                "rows": [r.to_dict() for r in self.rows]}  # fmt: skip
