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
import csv
import dataclasses
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.bilingual import in_language, split_message
from course.gradebook.deadlines import SubmittedAt, as_gradebook_time, due_date, read_submitted_at
from course.gradebook.store import open_gradebook, record_lessons
from course.grading.judging import Judge, JudgingError, confirm
from course.grading.pipeline import (
    PHASES,
    GradedAs,
    Kernel,
    course_lessons,
    grade_submission,
    observe_reference,
)
from course.grading.scoring import NOT_ANSWERED, SaveVerdicts
from course.kernel import zygote
from course.kernel.sandbox import (
    FIRST_UID,
    NOT_SANDBOXED,
    Limits,
    is_root,
    kernel_environment,
    sandbox_available,
    sandbox_view,
)
from course.layout import CourseLayout
from course.notebook.build import GUARD_CELL_ID, GUARD_RESTORE
from course.notebook.cells import exercise_of, is_test, nbgrader_meta
from course.results import Status, SubmissionResult
from course.safe_files import read_regular_file

CSV_FIELDS = ("student_id", "assignment", "grade_id", "score", "max_score", "status", "message")
GRADED_BY_HAND = "graded by hand in formgrader / 已由教师在 formgrader 中评分"
TOTAL_FIELDS = ("student_id", "assignment", "score", "max_score", "status", "late_penalty", "final_score", "submitted_at", "seconds_late")


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


def grade_all(options: GradeOptions, log=print) -> list[SubmissionResult]:
    """Grade every submission of the shard; write the gradebook, CSVs and feedback. Returns the results,
    one per (student, lesson), students in order.

    评阅分片中的每份提交，写入成绩库、CSV 与反馈，并返回结果（每个学生每课一个）。
    """
    course = options.course
    db_url = options.db_url or course.gradebook_url
    lessons = course.lessons()
    work = find_submissions(options.submitted, lessons, options.shard)
    graded_lessons = sorted({lesson for _, lesson, path in work if path is not None})
    database = sqlite_path(db_url)
    if database is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
        # Created now, private, so the sandbox hides it from the start / 现在就创建并设为私有，沙箱从一开始就隐藏它
        database.touch(mode=0o600)
        database.chmod(0o600)
    sandboxed = sandbox_available()
    if not sandboxed:
        log(NOT_SANDBOXED)
    scratch_base = Path(tempfile.mkdtemp(prefix="cg-", dir="/run" if is_root() and os.access("/run", os.W_OK) else None))
    scratch_base.chmod(0o711)
    private = [options.submitted, *(p for p in (database, options.feedback, options.out) if p is not None)]
    view = sandbox_view(course.root, scratch_base / "0", private) if sandboxed else ((), (), ())
    try:
        with contextlib.ExitStack() as stack:
            kernel = Kernel(options.timeout, sandboxed, None, view, options.limits)
            if options.preload:
                # One pre-imported parent forks every kernel; it starts first, so its imports (and its font cache)
                # happen while the gradebook is prepared / 由一个预先导入的父进程派生所有内核；它最先启动，导入与成绩库准备同时进行
                home = scratch_base / "zygote"
                home.mkdir()
                env = {**kernel_environment(home), "MPLCONFIGDIR": str(scratch_base / "matplotlib-cache")}
                kernel = dataclasses.replace(kernel, zygote=stack.enter_context(zygote.running(scratch_base, env)))
            else:
                kernel = dataclasses.replace(kernel, matplotlib_cache=_matplotlib_cache(scratch_base))
            # The lessons are recorded in the gradebook while the kernels run, in a process of their own (nbgrader
            # changes the working folder) / 内核运行期间在独立进程中把各课记录到成绩库（nbgrader 会改变工作目录）
            recording = stack.enter_context(ProcessPoolExecutor(max_workers=1))
            recorded = recording.submit(record_lessons, course, db_url, graded_lessons) if graded_lessons else None
            results = _grade_jobs(options, work, graded_lessons, scratch_base, kernel)
            if recorded is not None:
                recorded.result()  # a ReleaseError says why / 出错时由 ReleaseError 说明原因
    finally:
        shutil.rmtree(scratch_base, ignore_errors=True)
    log(time_by_phase_line(list(results.values())))
    ordered = [results[(student, lesson)] for student, lesson, _ in work]
    times = [read_submitted_at(path.parent if path is not None else None) for _, _, path in work]
    for result, at in zip(ordered, times, strict=True):
        result.submitted_at = at.describe()
    _write_gradebook(db_url, course, ordered, times)
    if options.autograded is not None:
        try:
            for result, (_, _, path) in zip(ordered, work, strict=True):
                if result.notebook is not None:
                    _for_one(result, "autograded/", log, lambda r=result, p=path: copy_submission_stamps(p.parent, write_autograded(options.autograded, r)))
        except OSError as error:  # the grades are in the gradebook already; say so and go on / 成绩已写入成绩库：说明后继续
            log(f"autograded/ could not be written ({error}); the gradebook and CSV files are complete, formgrader cannot open "
                f"these results until `course grade --autograded DIR` succeeds / 无法写入 autograded/（{error}）；成绩库与 CSV 完整，"
                f"但在 `course grade --autograded DIR` 成功之前 formgrader 无法打开这些结果")
    untimed = sorted({f"{r.student}/{r.lesson}: {r.submitted_at}" for r in ordered if r.notebook is not None and r.submitted_at in ("missing", "unreadable")})
    if untimed and any(due_date(db_url, lesson) is not None for lesson in {r.lesson for r in ordered}):
        log(f"{len(untimed)} submission(s) without a readable timestamp.txt, so no late penalty could be decided: {', '.join(untimed[:10])} / "
            f"{len(untimed)} 份提交没有可读的 timestamp.txt，无法判断是否迟交：{', '.join(untimed[:10])}")
    for result in ordered:
        for row in result.rows:
            row.message = in_language(row.message, options.lang)
    if options.out is not None:
        write_csvs(options.out, ordered)
    if options.feedback is not None:
        for result, (_, _, path) in zip(ordered, work, strict=True):
            if result.notebook is not None:
                _for_one(result, "feedback", log, lambda r=result, p=path: copy_submission_stamps(
                    p.parent, write_feedback(options.feedback, course, db_url, r, options.lang).parent))
    return ordered


def _for_one(result: SubmissionResult, what: str, log, write) -> None:
    """``write()`` one submission's file; a failure other than the folder's (``OSError``) is this submission's alone:
    said, kept in ``grader_error``, and the batch goes on / 写出一份提交的文件；除目录问题外的失败只属于这份提交：说明原因后继续。"""
    try:
        write()
    except OSError:
        raise
    except Exception as error:
        result.grader_error = result.grader_error or f"its {what} could not be written: {_describe(error)}"
        log(f"{result.student}/{result.lesson}: {what} could not be written ({_describe(error)}) / 无法写出{what}")

def _grade_jobs(options: GradeOptions, work: list, graded_lessons: list[str], scratch_base: Path, kernel: Kernel) -> dict:
    """Every submission of ``work`` through the worker pool, judged against its lesson's reference kernel,
    which runs in the same pool. {(student, lesson): SubmissionResult}.

    在工作进程池中评阅每份提交，并与同一进程池中运行的参考内核比较。
    """
    course = options.course
    # Inputs drawn once per batch from a secret seed (course.grading.judging) / 每批次用秘密种子抽取一次输入
    seed = secrets.randbits(63)
    judges = {lesson: Judge.draw(course, lesson, list(course_lessons(course)[lesson].exercises), seed) for lesson in graded_lessons}
    jobs = [
        Job(i, student, lesson, path, course, options.submitted, scratch_base / str(i),
            dataclasses.replace(kernel, uid=FIRST_UID + i if kernel.sandboxed else None), judges.get(lesson))
        for i, (student, lesson, path) in enumerate(work)
    ]  # fmt: skip
    # The reference kernels first, so they run beside the first submissions / 先启动参考内核，与最初的提交并行
    tasks = {("reference", lesson): (observe_reference, course, judge, scratch_base / f"reference-{lesson}", options.timeout, kernel.zygote)
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


def _matplotlib_cache(base: Path) -> Path | None:
    """A font cache built once, copied into each scratch folder / 只构建一次的字体缓存，复制到每个临时目录。"""
    cache = base / "matplotlib-cache"
    cache.mkdir()
    env = {**os.environ, "MPLCONFIGDIR": str(cache)}
    built = subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, capture_output=True)
    return cache if built.returncode == 0 else None


def cell_scores(result: SubmissionResult) -> dict[str, float]:
    """Each test cell's score as the grader decided it; a cell it did not score scores 0 / 评阅程序决定的每个测试单元格的分数。"""
    return {test_id: points for row in result.rows for test_id, points in row.cell_scores.items()}


def _write_gradebook(db_url: str, course: CourseLayout, ordered: list[SubmissionResult], times: list[SubmittedAt]) -> None:
    """The grades into nbgrader's gradebook as ``nbgrader autograde`` writes them: the submission with its
    time (``timestamp.txt``), each test cell's score as the grader decided it (``SaveVerdicts``; a manual
    score or comment given in formgrader stays), then nbgrader's ``AssignLatePenalties`` with the course's
    ``LateSubmissionPlugin`` settings (reset, then recomputed: a penalty goes when a new deadline or an
    extension makes it on time). Each result gets its late penalty and seconds late back.

    像 nbgrader autograde 一样写入成绩库：提交及其时间、评阅程序决定的每个测试单元格的分数（SaveVerdicts；保留 formgrader 中的人工分数与评语），
    然后用课程的迟交设置运行 AssignLatePenalties（先清零再计算：新的截止时间或延期使其按时后，罚分随之取消）。
    """
    from nbgrader.preprocessors import AssignLatePenalties

    config = course.nbgrader_config(db_url)
    with CourseLayout.environment_tools_on_path(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with open_gradebook(db_url) as gradebook:
            for result, at in zip(ordered, times, strict=True):
                gradebook.update_or_create_student(result.student)
                if result.status is not Status.MISSING:
                    known = {"timestamp": as_gradebook_time(at.when)} if at.when is not None else {}
                    gradebook.update_or_create_submission(result.lesson, result.student, **known)
        for result in ordered:
            if result.notebook is None:
                continue
            resources = {"nbgrader": {"db_url": db_url, "assignment": result.lesson, "notebook": result.lesson, "student": result.student}}
            notebook = nbformat.from_dict(result.notebook)
            SaveVerdicts(config=config, scores=cell_scores(result)).preprocess(notebook, resources)
            AssignLatePenalties(config=config).preprocess(notebook, resources)
        with open_gradebook(db_url) as gradebook:
            for result in ordered:
                if result.notebook is not None:
                    submission = gradebook.find_submission(result.lesson, result.student)
                    result.late_penalty = gradebook.find_submission_notebook(result.lesson, result.lesson, result.student).late_submission_penalty or 0.0
                    result.seconds_late = submission.total_seconds_late
                    for row in result.rows:  # a score given in formgrader / 在 formgrader 中给出的分数
                        if row.status is Status.MANUAL:
                            given = gradebook.find_grade(row.grade_id, result.lesson, result.lesson, result.student).manual_score
                            if given is not None:
                                row.score, row.status, row.message = float(given), Status.OK, GRADED_BY_HAND


def write_csvs(out: Path, ordered: list[SubmissionResult]) -> Path:
    """``out`` with one row per exercise, and ``<out stem>.totals.csv`` with one per (student, lesson)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    totals_path = out.with_name(out.stem + ".totals.csv")
    with out.open("w", newline="", encoding="utf-8") as rows_file, totals_path.open("w", newline="", encoding="utf-8") as totals_file:
        rows, totals = csv.writer(rows_file), csv.writer(totals_file)
        rows.writerow(CSV_FIELDS)
        totals.writerow(TOTAL_FIELDS)
        for result in ordered:
            for r in result.rows:
                rows.writerow([result.student, result.lesson, r.grade_id, f"{r.score:g}", f"{r.max_score:g}", r.status, r.message])
            totals.writerow([result.student, result.lesson, f"{result.total:g}", f"{result.max_score:g}", result.status,
                             f"{result.late_penalty:g}", f"{max(0.0, result.total - result.late_penalty):g}", result.submitted_at or "",
                             f"{result.seconds_late:g}"])  # fmt: skip
    return totals_path


# The hidden check's line under each test cell, by its exercise's name and verdict only / 每个测试单元格下隐藏检查的一行：只有练习名与结论
HIDDEN_CHECK = ("hidden check of {grade_id}: {english}", "隐藏检查 {grade_id}：{chinese}")
CONFIRMED = ("confirmed on fresh inputs", "在新的输入上通过")


def shown_notebook(result: SubmissionResult, lang: str = "both") -> nbformat.NotebookNode:
    """The executed notebook as a person may see it (feedback, formgrader): the cells that ran as they were
    released, without the guard; every output and written answer made inert (``course.grading.inert``); under each
    test cell, the hidden check of its exercise by name and verdict only.

    供人查看的执行后笔记本：按发布时的样子显示运行过的单元格（不含守护代码）；所有输出与书面答案都变为无害；
    每个测试单元格下只显示其练习隐藏检查的名称与结论。
    """
    from course.grading.inert import InertOutputs

    shown = nbformat.from_dict(json.loads(json.dumps(result.notebook)))
    shown.cells = [c for c in shown.cells if c.get("id") != GUARD_CELL_ID]
    shown, _ = InertOutputs().preprocess(shown, {})
    rows = {row.grade_id: row for row in result.rows}
    for cell in shown.cells:
        if not is_test(cell):
            continue
        if cell.source.startswith(GUARD_RESTORE):
            cell.source = cell.source[len(GUARD_RESTORE) :]
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                if output.get("ename") == "NotImplementedError" and not output.get("evalue"):
                    output["evalue"] = NOT_ANSWERED
                output["evalue"] = in_language(output.get("evalue", ""), lang)
                output["traceback"] = [f"{output.get('ename')}: {output.get('evalue')}"]  # the message, not the grader's frames / 只显示信息
        row = rows.get(exercise_of(nbgrader_meta(cell)["grade_id"]))
        if row is not None and row.confirmed is not None:
            english, chinese = CONFIRMED if row.confirmed else (split_message(row.verdict) or (row.verdict, row.verdict))
            line = " / ".join(part.format(grade_id=row.grade_id, english=english, chinese=chinese) for part in HIDDEN_CHECK)
            if row.confirmed:
                cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text=f"✓ {in_language(line, lang)}\n"))
            else:
                cell.outputs.append(nbformat.v4.new_output("error", ename="HiddenCheck", evalue=in_language(line, lang),
                                                           traceback=[f"HiddenCheck: {in_language(line, lang)}"]))  # fmt: skip
    return shown


def write_autograded(folder: Path, result: SubmissionResult) -> Path:
    """The executed graded notebook, as a person may see it, at ``folder/<student>/<lesson>/<lesson>.ipynb``
    (where ``nbgrader autograde`` leaves it), so formgrader opens it for manual review; returns its folder.

    把供人查看的执行后笔记本写到 nbgrader autograde 放置的位置，formgrader 可据此人工批阅；返回其所在目录。
    """
    target = CourseLayout.lesson_file(folder / result.student, result.lesson)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(shown_notebook(result), target)
    return target.parent


def submission_timing(db_url: str, result: SubmissionResult) -> str:
    """One bilingual line for the feedback: the due date that applied (with an extension), when it was
    submitted and what lateness cost; empty when the lesson has no due date.

    反馈中的一行：适用的截止时间（含延期）、提交时间与迟交的代价；该课没有截止时间时为空。
    """
    due = due_date(db_url, result.lesson, result.student)
    if due is None:
        return ""
    stamp = due.strftime("%Y-%m-%d %H:%M UTC")
    late = f"{result.seconds_late / 3600:.1f} h" if result.seconds_late else "no / 否"
    return (f"Due {stamp} · submitted {result.submitted_at} · late: {late} · late penalty {result.late_penalty:g} / "
            f"截止时间 {stamp} · 提交时间 {result.submitted_at} · 迟交：{late} · 迟交罚分 {result.late_penalty:g}")  # fmt: skip


# Nothing in a feedback page runs or loads from elsewhere: the course's own page is static
# 反馈页面中没有任何内容会运行或从别处加载：课程自己的页面是静态的
FEEDBACK_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; base-uri 'none'; form-action 'none'"


def write_feedback(feedback_dir: Path, course: CourseLayout, db_url: str, result: SubmissionResult, lang: str = "both") -> Path:
    """nbgrader's HTML feedback for one submission: the notebook as a person may see it (``shown_notebook``),
    the scores from the gradebook, and a content security policy under which no script runs.

    生成一份提交的 nbgrader HTML 反馈：供人查看的笔记本、取自成绩库的分数，以及禁止任何脚本运行的内容安全策略。
    """
    import nbgrader
    from nbconvert.exporters import HTMLExporter
    from nbgrader.preprocessors import GetGrades
    from traitlets.config import Config

    student, lesson = result.student, result.lesson
    display = shown_notebook(result, lang)
    timing = submission_timing(db_url, result)
    if timing:  # the learner sees the deadline that applied / 学习者看到适用于自己的截止时间
        display.cells.insert(0, nbformat.v4.new_markdown_cell(in_language(timing, lang), id="course-timing"))
    resources = {"nbgrader": {"db_url": db_url, "assignment": lesson, "notebook": lesson, "student": student}}
    with CourseLayout.environment_tools_on_path(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        display, resources = GetGrades().preprocess(display, resources)
    templates = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"
    config = Config()
    config.HTMLExporter.template_name = "feedback"
    config.HTMLExporter.extra_template_basedirs = [str(templates)]
    # nbgrader's own feedback settings (GenerateFeedback) / 与 nbgrader 的 GenerateFeedback 设置相同
    bootstrap = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "static" / "node_modules" / "bootstrap" / "dist" / "css"
    config.HTMLExporter.extra_template_paths = [str(bootstrap)]
    html, _ = HTMLExporter(config=config).from_notebook_node(display, resources=resources)
    policy = f'<meta http-equiv="Content-Security-Policy" content="{FEEDBACK_POLICY}">'
    html = html.replace("<head>", f"<head>\n{policy}", 1)
    target = CourseLayout.lesson_file(feedback_dir / student, lesson, ".html")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return target


# What `nbgrader submit` stores next to a submission and `nbgrader release_feedback` needs beside the feedback.
# `nbgrader submit` 保存在提交旁、`nbgrader release_feedback` 需要放在反馈旁的文件。
SUBMISSION_STAMPS = ("timestamp.txt", "submission_secret.txt")


def copy_submission_stamps(submission: Path, feedback: Path) -> None:
    """Copy the submission's timestamp and secret beside its feedback, as `nbgrader generate_feedback` does.

    So `nbgrader release_feedback` can return it to the learner's Assignment List (the secret names the file).
    像 `nbgrader generate_feedback` 一样把提交的时间戳与密钥复制到反馈旁，`nbgrader release_feedback` 才能把反馈发回学习者的作业列表。
    """
    for name in SUBMISSION_STAMPS:
        try:  # a link is never followed / 不跟随链接
            (feedback / name).write_bytes(read_regular_file(submission / name, 4095))
        except OSError:  # not an nbgrader submission: no stale stamp of an earlier one / 不是 nbgrader 提交：不留旧的时间戳
            (feedback / name).unlink(missing_ok=True)
