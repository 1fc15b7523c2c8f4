"""``course grade``: grade a folder of submissions safely, in parallel, into nbgrader's gradebook.
``course grade``：安全、并行地评阅整个提交目录，并写入 nbgrader 的成绩库。

``SUBMITTED/<student_id>/<lesson>/<lesson>.ipynb``, laid out like nbgrader's ``submitted/``. Each
submission goes through ``course.grading.pipeline.grade_submission`` (the path ``course check`` takes too),
with the hidden tests, in its own fresh kernel (sandboxed when the grader is root, see course.kernel.sandbox)
in a throwaway copy of that student's lesson folder; the submitted files are only read, and no link
in them is followed. Worker
processes pay their start-up once; the gradebook is written by this process alone, so SQLite
and PostgreSQL behave the same, and shards of students can be graded on several machines.
"""

import contextlib
import dataclasses
import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from course.bilingual import Text, in_language
from course.errors import UsageError
from course.gradebook.deadlines import SubmittedAt, due_date, read_submitted_at
from course.gradebook.record import check_late_policy, record_results
from course.gradebook.store import record_lessons
from course.grading.judging import Judge, JudgingError, confirm
from course.grading.pipeline import (
    PHASES,
    GradedAs,
    Kernel,
    course_lessons,
    grade_submission,
    observe_reference,
)
from course.grading.reports.autograded import write_autograded
from course.grading.reports.csv_files import write_csvs
from course.grading.reports.feedback import copy_submission_stamps, write_feedback
from course.kernel import zygote
from course.kernel.sandbox import (
    FIRST_UID,
    NOT_SANDBOXED,
    Limits,
    kernel_environment,
    sandbox_available,
    sandbox_view,
)
from course.kernel.scratch import ScratchLayout
from course.layout import CourseLayout
from course.results import SubmissionResult


@dataclass
class GradeOptions:
    """What ``course grade`` was asked to do / ``course grade`` 的参数。"""

    submitted: Path
    course: CourseLayout
    out: Path | None = None
    feedback: Path | None = None
    jobs: int = os.cpu_count() or 1
    timeout: int = 60
    db_url: str | None = None
    shard: tuple[int, int] = (1, 1)
    limits: Limits = field(default_factory=Limits)
    lang: str = "both"
    preload: bool = True  # fork kernels from a pre-imported parent (course.kernel.zygote) / 由预先导入的父进程派生内核
    autograded: Path | None = None  # nbgrader's autograded/ for formgrader / 供 formgrader 使用的 autograded/ 目录


@dataclass
class Job:
    """One submission for a worker: who, which lesson, where, and how its kernel runs / 交给工作进程的一份提交。"""

    index: int
    student: str
    lesson: str
    path: Path | None
    course: CourseLayout
    submitted: Path
    scratch: Path
    kernel: Kernel
    judge: Judge | None = None


def find_submissions(submitted: Path, lessons: list[str], shard: tuple[int, int]) -> list[tuple[str, str, Path | None]]:
    """(student, lesson, notebook or None) for every student folder in this shard and every lesson.

    A lesson missing for a student who submitted others appears with ``None``.
    """
    students = sorted(d.name for d in submitted.iterdir() if d.is_dir() and not d.name.startswith("."))
    k, n = shard
    mine = [s for i, s in enumerate(students) if i % n == k - 1]
    found = []
    for student in mine:
        for lesson in lessons:
            notebook = CourseLayout.lesson_file(submitted / student, lesson)
            found.append((student, lesson, notebook if notebook.is_file() else None))
    return found


def sqlite_path(db_url: str) -> Path | None:
    return Path(db_url[len("sqlite:///") :]) if db_url.startswith("sqlite:///") else None


@dataclass
class Batch:
    """One ``course grade`` run as its steps see it: what was asked, what was found, what came of it
    一次 course grade 在各步骤眼中的样子：参数、找到的提交、得到的结果。"""

    options: GradeOptions
    log: Callable[[str], None]
    db_url: str
    work: list[tuple[str, str, Path | None]]  # (student, lesson, notebook or None), students in order
    results: list[SubmissionResult] = field(default_factory=list)  # one per entry of ``work`` / 与 work 一一对应
    times: list[SubmittedAt] = field(default_factory=list)

    @property
    def graded_lessons(self) -> list[str]:
        return sorted({lesson for _, lesson, path in self.work if path is not None})

    def submitted(self) -> Iterator[tuple[SubmissionResult, Path]]:
        """Each result whose notebook ran, with the notebook's path / 每份运行过的提交及其路径"""
        for result, (_, _, path) in zip(self.results, self.work, strict=True):
            if result.notebook is not None:
                yield result, path


def grade_all(options: GradeOptions, log=print) -> list[SubmissionResult]:
    """Grade every submission of the shard; write the gradebook and what the options ask for. Returns the results,
    one per (student, lesson), students in order.

    评阅分片中的每份提交，写入成绩库以及选项要求的输出；返回结果（每个学生每课一个）。
    """
    batch = discover(options, log)
    run_kernels(batch)
    for step in BATCH_STEPS:
        step(batch)
    for writer in WRITERS:
        if getattr(options, writer.option) is not None:
            writer.write(batch)
    return batch.results


def discover(options: GradeOptions, log) -> Batch:
    """The shard's submissions, every lesson for every student, refused (``ready_to_grade``) before anything is written;
    a new SQLite gradebook made private at once, so the sandbox hides it from the start
    找到分片中的提交（无法评阅时在写出任何文件之前拒绝）；新的 SQLite 成绩库立即设为私有，沙箱从一开始就隐藏它"""
    db_url = options.db_url or options.course.gradebook_url
    batch = Batch(options, log, db_url, find_submissions(options.submitted, options.course.lessons(), options.shard))
    ready_to_grade(options.course, batch.graded_lessons)
    database = sqlite_path(db_url)
    if database is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
        database.touch(mode=0o600)
        database.chmod(0o600)
    return batch


def ready_to_grade(course: CourseLayout, lessons: list[str]) -> None:
    """Refuse, before any kernel starts or anything is written, a course that cannot grade ``lessons``: a lesson
    without its student version, a late policy nbgrader cannot import
    在启动任何内核、写出任何文件之前，拒绝无法评阅这些课程的课程：缺少学生版的课、nbgrader 无法导入的迟交政策"""
    for lesson in lessons:
        if not course.release_notebook(lesson).is_file():
            shown = course.release_notebook(lesson).relative_to(course.root)
            raise UsageError(Text(f"lesson {lesson} has no student version {shown}: run `course release` first (it grades against it)",
                                  f"第 {lesson} 课没有学生版 {shown}：请先运行 course release（评阅以它为准）"))  # fmt: skip
    check_late_policy(course)


def run_kernels(batch: Batch) -> None:
    """Every submission and each lesson's reference in the worker pool, in kernels forked from one pre-imported parent
    (sandboxed where possible), judged; the lessons recorded in the gradebook meanwhile
    在工作进程池中运行每份提交与各课参考答案（尽可能在沙箱中）并比较；同时把各课记录到成绩库"""
    options, course = batch.options, batch.options.course
    sandboxed = sandbox_available()
    if not sandboxed:
        batch.log(NOT_SANDBOXED)
    scratch = ScratchLayout.create("cg-", kernels_as_others=True)
    private = [options.submitted, *(p for p in (sqlite_path(batch.db_url), options.feedback, options.out) if p is not None)]
    view = sandbox_view(course.root, scratch.submission(0), private) if sandboxed else ((), (), ())
    try:
        with contextlib.ExitStack() as stack:
            kernel = Kernel(options.timeout, sandboxed, None, view, options.limits, lang=options.lang)
            if options.preload:
                # The parent starts first, so its imports (and its font cache) happen while the gradebook is prepared
                # 父进程最先启动，导入与字体缓存和成绩库准备同时进行
                scratch.zygote_home.mkdir()
                env = {**kernel_environment(scratch.zygote_home, options.lang), "MPLCONFIGDIR": str(scratch.matplotlib_cache)}
                kernel = dataclasses.replace(kernel, zygote=stack.enter_context(zygote.running(scratch.base, env)))
            else:
                kernel = dataclasses.replace(kernel, matplotlib_cache=_matplotlib_cache(scratch))
            # In a process of their own: nbgrader changes the working folder / 在独立进程中：nbgrader 会改变工作目录
            recording = stack.enter_context(ProcessPoolExecutor(max_workers=1))
            lessons = batch.graded_lessons
            recorded = recording.submit(record_lessons, course, batch.db_url, lessons) if lessons else None
            results = _grade_jobs(options, batch.work, lessons, scratch, kernel)
            if recorded is not None:
                recorded.result()  # a ReleaseError says why / 出错时由 ReleaseError 说明原因
    finally:
        scratch.remove()
    batch.log(time_by_phase_line(list(results.values())))
    batch.results = [results[(student, lesson)] for student, lesson, _ in batch.work]


def read_submission_times(batch: Batch) -> None:
    """When each was submitted (nbgrader's ``timestamp.txt``) / 每份提交的提交时间"""
    batch.times = [read_submitted_at(path.parent if path is not None else None) for _, _, path in batch.work]
    for result, at in zip(batch.results, batch.times, strict=True):
        result.submitted_at = at.describe()


def record_in_gradebook(batch: Batch) -> None:
    record_results(batch.db_url, batch.options.course, batch.results, batch.times)


def say_what_had_no_time(batch: Batch) -> None:
    """Submissions whose lateness could not be decided, where a lesson has a due date / 无法判断是否迟交的提交"""
    untimed = sorted({f"{r.student}/{r.lesson}: {r.submitted_at}" for r, _ in batch.submitted() if r.submitted_at in ("missing", "unreadable")})
    if untimed and any(due_date(batch.db_url, lesson) is not None for lesson in {r.lesson for r in batch.results}):
        batch.log(f"{len(untimed)} submission(s) without a readable timestamp.txt, so no late penalty could be decided: {', '.join(untimed[:10])} / "
                  f"{len(untimed)} 份提交没有可读的 timestamp.txt，无法判断是否迟交：{', '.join(untimed[:10])}")  # fmt: skip


def in_chosen_language(batch: Batch) -> None:
    for result in batch.results:
        for row in result.rows:
            row.message = in_language(row.message, batch.options.lang)


# After the kernels, in order / 内核运行之后依次执行
BATCH_STEPS = (read_submission_times, record_in_gradebook, say_what_had_no_time, in_chosen_language)


class CsvFiles:
    """``--out``: the batch's rows and totals / 本批的明细与总分"""

    option = "out"

    @staticmethod
    def write(batch: Batch) -> None:
        write_csvs(batch.options.out, batch.results)


class PerSubmission:
    """A file per submission; a failure other than the folder's (``OSError``) is that submission's alone: said, kept
    in ``grader_error``, and the batch goes on / 每份提交一个文件；除目录问题外的失败只属于这份提交：说明原因后继续。"""

    what = ""

    def write_one(self, batch: Batch, result: SubmissionResult, submission: Path) -> None:
        raise NotImplementedError

    def write(self, batch: Batch) -> None:
        for result, path in batch.submitted():
            try:
                self.write_one(batch, result, path)
            except OSError:
                raise
            except Exception as error:
                result.grader_error = result.grader_error or f"its {self.what} could not be written: {_describe(error)}"
                batch.log(f"{result.student}/{result.lesson}: {self.what} could not be written ({_describe(error)}) / 无法写出{self.what}")


class AutogradedCopies(PerSubmission):
    """``--autograded``: for formgrader's manual review, with the submission's stamps / 供 formgrader 人工批阅"""

    what, option = "autograded/", "autograded"

    def write_one(self, batch: Batch, result: SubmissionResult, submission: Path) -> None:
        copy_submission_stamps(submission.parent, write_autograded(batch.options.autograded, result))

    def write(self, batch: Batch) -> None:
        try:
            super().write(batch)
        except OSError as error:  # the grades are in the gradebook already; say so and go on / 成绩已写入成绩库：说明后继续
            batch.log(f"autograded/ could not be written ({error}); the gradebook and CSV files are complete, formgrader cannot open "
                      f"these results until `course grade --autograded DIR` succeeds / 无法写入 autograded/（{error}）；成绩库与 CSV 完整，"
                      f"但在 `course grade --autograded DIR` 成功之前 formgrader 无法打开这些结果")  # fmt: skip


class FeedbackPages(PerSubmission):
    """``--feedback``: nbgrader's HTML feedback in the chosen language, with the submission's stamps / HTML 反馈"""

    what, option = "feedback", "feedback"

    def write_one(self, batch: Batch, result: SubmissionResult, submission: Path) -> None:
        options = batch.options
        page = write_feedback(options.feedback, options.course, batch.db_url, result, options.lang)
        copy_submission_stamps(submission.parent, page.parent)


# Each run when the option it names (a GradeOptions field) is given, in order / 各在其选项给出时依次执行
WRITERS = (AutogradedCopies(), CsvFiles(), FeedbackPages())


def _grade_jobs(options: GradeOptions, work: list, graded_lessons: list[str], scratch: ScratchLayout, kernel: Kernel) -> dict:
    """Every submission of ``work`` through the worker pool, judged against its lesson's reference kernel,
    which runs in the same pool. {(student, lesson): SubmissionResult}.

    在工作进程池中评阅每份提交，并与同一进程池中运行的参考内核比较。
    """
    course = options.course
    # Inputs drawn once per batch from a secret seed (course.grading.judging) / 每批次用秘密种子抽取一次输入
    seed = secrets.randbits(63)
    judges = {lesson: Judge.draw(course, lesson, list(course_lessons(course)[lesson].exercises), seed) for lesson in graded_lessons}
    jobs = [
        Job(i, student, lesson, path, course, options.submitted, scratch.submission(i),
            dataclasses.replace(kernel, uid=FIRST_UID + i if kernel.sandboxed else None), judges.get(lesson))
        for i, (student, lesson, path) in enumerate(work)
    ]  # fmt: skip
    # The reference kernels first, so they run beside the first submissions / 先启动参考内核，与最初的提交并行
    tasks = {("reference", lesson): (observe_reference, course, judge, scratch.reference(lesson), options.timeout, kernel.zygote)
             for lesson, judge in judges.items()}  # fmt: skip
    # Nothing submitted: nothing to run, no worker needed / 没有提交：无需运行，也不需要工作进程
    tasks.update({(job.student, job.lesson): (grade_job, job) for job in jobs if job.path is not None})
    outcomes = run_in_pool(tasks, options.jobs)
    outcomes.update({(job.student, job.lesson): grade_job(job) for job in jobs if job.path is None})
    for lesson in judges:
        reference = outcomes.pop(("reference", lesson))
        if isinstance(reference, BaseException):
            raise JudgingError(f"the reference solution of {lesson} could not be observed: {reference!r} / 无法观察第 {lesson} 课的参考答案")
        judges[lesson] = judges[lesson].with_reference(reference)
    results = {}
    for job in jobs:
        outcome = outcomes[(job.student, job.lesson)]
        if isinstance(outcome, BaseException):  # the worker itself failed: that submission only / 只影响这一份提交
            outcome = SubmissionResult.grader_failed(job.lesson, course_lessons(course)[job.lesson].max_scores(), _describe(outcome))
        results[(job.student, job.lesson)] = judged(dataclasses.replace(outcome, student=job.student), judges.get(job.lesson))
    return results


def run_in_pool(tasks: dict, jobs: int) -> dict:
    """{key: (function, *args)} run in worker processes, in order; {key: result, or the exception it raised}:
    a task that fails fails alone / 在工作进程中按顺序运行任务，返回各自的结果或抛出的异常：一个任务失败只影响它自己。
    """
    outcomes: dict = {}
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks))), initializer=_warm_worker) as pool:
        futures = {pool.submit(*task): key for key, task in tasks.items()}
        for future in as_completed(futures):
            try:
                outcomes[futures[future]] = future.result()
            except Exception as error:
                outcomes[futures[future]] = error
    return outcomes


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def time_by_phase_line(results: list[SubmissionResult]) -> str:
    """Where a graded submission's time went, on average / 每份评阅提交的平均耗时分布。"""
    ran = [r.timings for r in results if r.timings]
    if not ran:
        return "no kernel ran / 没有运行任何内核"
    mean = {phase: sum(t.get(phase, 0.0) for t in ran) / len(ran) for phase in PHASES}
    parts = ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in mean.items())
    return f"seconds per submission (mean of {len(ran)}): {parts} / 每份提交的平均秒数（{len(ran)} 份）：{parts}"


def judged(result: SubmissionResult, judge: Judge | None) -> SubmissionResult:
    """``result`` with only confirmed exercises keeping points, compared here, in the grader's own process.
    Whatever goes wrong in decoding or comparing this submission's observations fails this submission
    alone: every exercise ``error``, 0 points, the reason kept (``grader_error``).

    只有得到确认的练习保留分数；比较在评阅程序自己的进程中进行。解码或比较出错只影响这一份提交：每个练习记为 error、0 分，并保留原因。
    """
    if judge is None or result.notebook is None or result.grader_error:
        return result
    try:
        verdicts = judge.verdicts(result.observations or {})
    except Exception as error:
        failed = SubmissionResult.grader_failed(result.lesson, {r.grade_id: r.max_score for r in result.rows}, _describe(error))
        return dataclasses.replace(result, rows=failed.rows, grader_error=failed.grader_error, observations=None)
    return dataclasses.replace(confirm(result, verdicts), observations=None)


def _warm_worker() -> None:
    """Pay the imports once per worker, not once per notebook / 每个工作进程只导入一次。"""
    import jupyter_client  # noqa: F401
    import nbclient  # noqa: F401

    import course.grading.scoring  # noqa: F401
    import course.kernel.runner  # noqa: F401


def grade_job(job: Job) -> SubmissionResult:
    """Grade one submission in a worker, sandboxed where possible / 在工作进程中评阅一份提交。"""
    return grade_submission(job.path, GradedAs.of(job.course, job.lesson), job.scratch, job.kernel, job.submitted, job.judge)


def _matplotlib_cache(scratch: ScratchLayout) -> Path | None:
    """A font cache built once, copied into each kernel's folder / 只构建一次的字体缓存，复制到每个内核的目录。"""
    scratch.matplotlib_cache.mkdir()
    env = {**os.environ, "MPLCONFIGDIR": str(scratch.matplotlib_cache)}
    built = subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, capture_output=True)
    return scratch.matplotlib_cache if built.returncode == 0 else None
