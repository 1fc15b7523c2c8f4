"""``course check``: one learner's notebook through the same pipeline as ``course grade``, visible tests only
``course check``：用与 course grade 相同的流程检查一位学生的笔记本，只运行可见测试。

Unsandboxed: it is the learner's own code on the learner's machine. After the first check, kernels fork from a
lingering pre-imported parent (``course.kernel.zygote.shared``), held until the check ends.
不带沙箱：这是学生在自己机器上运行自己的代码。第一次检查之后，内核由常驻的预导入父进程派生。
"""

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from course.bilingual import Text, halves, in_language
from course.errors import NoCourseError, UsageError
from course.layout import CourseLayout
from course.results import Status, SubmissionResult

PASSED = Text("passed", "通过")


@dataclass
class CheckReport:
    """What a check found: the lesson it was checked as, its result, the due date a learner may read
    检查的结果：按哪一课检查、结果、学生可读到的截止时间"""

    notebook: Path
    lesson: str
    result: SubmissionResult
    due: str | None = None

    @property
    def exit_status(self) -> int:
        """0 when every exercise passes its visible tests / 每个练习都通过可见测试时为 0"""
        return 0 if self.result.passed == len(self.result.automatic) else 1

    def lines(self, lang: str) -> list[str]:
        """The report as the learner reads it, in ``lang`` / 学生读到的报告"""
        shown = [in_language(self.due, lang)] if self.due is not None else []
        for r in self.result.rows:
            ok = r.status is Status.OK
            english, chinese = halves(r.message)
            verdict = PASSED if ok else r.message if r.status is Status.MANUAL else Text(f"{r.status}: {english}", f"未通过：{chinese}")
            mark = "✓" if ok else "✎" if r.status is Status.MANUAL else "✗"
            shown.append(f"{mark} {r.grade_id:24s} {r.score:g}/{r.max_score:g}  {in_language(verdict, lang)}")
        # Written answers are graded by the instructor, not here / 书面答案由教师评分，不在此检查
        passed, count = self.result.passed, len(self.result.automatic)
        total, most = sum(r.score for r in self.result.automatic), sum(r.max_score for r in self.result.automatic)
        shown.append(in_language(Text(
            f"{passed}/{count} exercises pass their visible tests, {total:g}/{most:g} points; hidden checks run at grading.",
            f"{passed}/{count} 个练习通过了可见测试，得分 {total:g}/{most:g}；评分时还会进行隐藏检查。"), lang))  # fmt: skip
        return shown


def check_notebook(path: Path, timeout: int, lang: str | None = None) -> CheckReport:
    """Check the learner's notebook at ``path`` (their own file: a link is fine here) as the lesson its exercises
    name, whatever the file is called; ``lang`` is what its kernel explains errors in / 按练习识别课程并检查学生自己的笔记本（可以是链接）"""
    from course.grading.pipeline import (
        GradedAs,
        Kernel,
        course_lessons,
        grade_submission,
        user_matplotlib_cache,
    )
    from course.kernel import zygote
    from course.kernel.scratch import ScratchLayout
    from course.notebook.lesson import recognise_lesson
    from course.notebook.submission import InvalidSubmission, read_submission

    notebook = Path(path).resolve()
    if not notebook.is_file():
        raise UsageError(f"no such notebook: {path} / 没有这个笔记本：{path}")
    try:
        layout = CourseLayout.find(notebook.parent)
    except NoCourseError:  # a learner's copy outside the course: use the course we are in / 课程之外的副本：使用当前所在的课程
        layout = CourseLayout.find(Path.cwd())
    lessons = course_lessons(layout)
    try:  # read once to tell which lesson it is / 先读一次，按内容识别是哪一课
        name = recognise_lesson(read_submission(notebook, next(iter(lessons.values())), set()), lessons)
    except InvalidSubmission as error:
        raise UsageError(f"cannot check {notebook.name}: {error} / 无法检查 {notebook.name}") from None
    if name is None:
        raise UsageError(f"{notebook.name} holds the exercises of no lesson; lessons: {', '.join(lessons)} / "
                         f"{notebook.name} 中没有任何一课的练习；课程有：{'、'.join(lessons)}")  # fmt: skip
    scratch = ScratchLayout.create("course-check-", kernels_as_others=False)  # the learner's own kernel / 学生自己的内核
    try:
        with zygote.shared(user_matplotlib_cache(), lang) as parent:
            kernel = Kernel(timeout=timeout, matplotlib_cache=user_matplotlib_cache(), zygote=parent, lang=lang)
            result = grade_submission(notebook, GradedAs.of(layout, name), scratch.submission(0), kernel, within=notebook.parent)
    finally:
        scratch.remove()
    return CheckReport(notebook, name, result, _due_for_learner(layout, name))


def _due_for_learner(layout: CourseLayout, lesson: str) -> str | None:
    """The lesson's due date as the course's gradebook has it, where this learner may read one (a class on
    one machine); never creates a gradebook / 若能读取课程成绩库（单机课堂），给出该课的截止时间；从不创建成绩库。"""
    from course.gradebook.deadlines import describe_due, due_date

    database = layout.gradebook_path
    if not (database.is_file() and os.access(database, os.R_OK)):
        return None
    try:
        due = due_date(layout.gradebook_url, lesson, os.environ.get("NBGRADER_STUDENT") or None)
    except Exception:  # an old or locked gradebook: the check goes on without it / 成绩库过旧或被锁定：照常检查
        return None
    return None if due is None else describe_due(due, dt.datetime.now(dt.UTC))
