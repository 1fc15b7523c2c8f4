"""``course grade``: grade a folder of submissions safely, in parallel, into nbgrader's gradebook.
``course grade``：安全、并行地评阅整个提交目录，并写入 nbgrader 的成绩库。

``SUBMITTED/<student_id>/<lesson>/<lesson>.ipynb``, laid out like nbgrader's ``submitted/``. Each
submission runs in its own fresh kernel (sandboxed when the grader is root, see course.sandbox)
in a throwaway copy of that student's lesson folder; the submitted files are only read. Worker
processes pay their start-up once; the gradebook is written by this process alone, so SQLite
and PostgreSQL behave the same, and shards of students can be graded on several machines.
"""

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.bilingual import in_language
from course.grading import (
    NOT_ANSWERED,
    STATUSES,
    ExerciseResult,
    InvalidSubmission,
    Lesson,
    build_graded_notebook,
    is_test,
    nbgrader_meta,
    read_submission,
    score_notebook,
    stubbed,
)
from course.layout import CourseLayout
from course.notebook_runner import prepare_scratch, run_cells
from course.release import record_lessons
from course.sandbox import FIRST_UID, Limits, is_root, sandbox_available, sandbox_view

CSV_FIELDS = ("student_id", "assignment", "grade_id", "score", "max_score", "status", "message")
TOTAL_FIELDS = ("student_id", "assignment", "score", "max_score", "status")
NOT_SANDBOXED = (
    "warning: not running as root, so the grading kernels are not sandboxed (they run as you, with "
    "your files and network); they only work in throwaway copies. / 警告：未以 root 运行，评阅内核没有沙箱"
    "（以你的身份运行，能访问你的文件和网络），只是在临时副本中运行。"
)


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


@dataclass
class Job:
    index: int
    student: str
    lesson: str
    path: Path | None
    course: CourseLayout
    scratch_base: Path
    timeout: int
    view: tuple
    limits: Limits
    matplotlib_cache: Path | None


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


def grade_all(options: GradeOptions, log=print) -> list[tuple[str, str, list[ExerciseResult]]]:
    """Grade every submission of the shard; write the gradebook, CSVs and feedback. Returns the results.

    评阅分片中的每份提交，写入成绩库、CSV 与反馈，并返回结果。
    """
    course = options.course
    db_url = options.db_url or course.gradebook_url
    lessons = course.lessons()
    work = find_submissions(options.submitted, lessons, options.shard)
    graded_lessons = sorted({lesson for _, lesson, path in work if path is not None})
    database = sqlite_path(db_url)
    if database is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
    if graded_lessons:
        record_lessons(course, db_url, graded_lessons)
    if database is not None and database.exists():
        database.chmod(0o600)
    if not sandbox_available():
        log(NOT_SANDBOXED)
    scratch_base = Path(tempfile.mkdtemp(prefix="cg-", dir="/run" if is_root() and os.access("/run", os.W_OK) else None))
    scratch_base.chmod(0o711)
    private = [options.submitted, *(p for p in (database, options.feedback, options.out) if p is not None)]
    view = sandbox_view(course.root, scratch_base / "0", private) if sandbox_available() else ((), (), ())
    matplotlib_cache = _matplotlib_cache(scratch_base)
    jobs = [
        Job(i, student, lesson, path, course, scratch_base, options.timeout, view, options.limits, matplotlib_cache)
        for i, (student, lesson, path) in enumerate(work)
    ]
    results: dict[tuple[str, str], tuple[list[ExerciseResult], dict | None]] = {}
    try:
        with ProcessPoolExecutor(max_workers=max(1, options.jobs), initializer=_warm_worker) as pool:
            futures = {pool.submit(grade_submission, job): job for job in jobs}
            for future in as_completed(futures):
                job = futures[future]
                try:
                    rows, executed = future.result()
                except Exception as error:  # the worker itself failed: that submission only / 只影响这一份提交
                    rows, executed = _rows_for(job, "error", f"the grader failed on this submission / 评阅程序出错: {error}"), None
                results[(job.student, job.lesson)] = (rows, executed)
    finally:
        shutil.rmtree(scratch_base, ignore_errors=True)
    ordered = [(s, lesson, results[(s, lesson)][0]) for s, lesson, _ in work]
    _write_gradebook(db_url, work, results)
    for _, _, rows in ordered:
        for row in rows:
            row.message = in_language(row.message, options.lang)
    if options.out is not None:
        write_csvs(options.out, ordered)
    if options.feedback is not None:
        for student, lesson, path in work:
            executed = results[(student, lesson)][1]
            if executed is not None:
                target = write_feedback(options.feedback, course, db_url, student, lesson, nbformat.from_dict(executed), options.lang)
                copy_submission_stamps(path.parent, target.parent)
    return ordered


def _warm_worker() -> None:
    """Pay the imports once per worker, not once per notebook / 每个工作进程只导入一次。"""
    import jupyter_client  # noqa: F401
    import nbclient  # noqa: F401
    import nbgrader.utils  # noqa: F401


_LESSONS: dict[tuple[CourseLayout, str], tuple[Lesson, nbformat.NotebookNode, set[str]]] = {}


def _lesson(course: CourseLayout, name: str) -> tuple[Lesson, nbformat.NotebookNode, set[str]]:
    key = (course, name)
    if key not in _LESSONS:
        lesson = Lesson.from_notebook(name, course.source_notebook(name))
        release = nbformat.read(course.release_notebook(name), as_version=4)
        every_id = set()
        for other in course.lessons():
            every_id |= set(Lesson.from_notebook(other, course.source_notebook(other)).exercises)
        _LESSONS[key] = (lesson, stubbed(lesson.source, release), every_id)
    return _LESSONS[key]


def _rows_for(job: Job, status: str, message: str) -> list[ExerciseResult]:
    lesson, _, _ = _lesson(job.course, job.lesson)
    return [ExerciseResult(e, 0.0, lesson.max_score(e), status, message) for e in lesson.exercises]


def grade_submission(job: Job) -> tuple[list[ExerciseResult], dict | None]:
    """Grade one submission in a worker: (rows, executed notebook as a dict or None).

    在工作进程中评阅一份提交。
    """
    lesson, template, every_id = _lesson(job.course, job.lesson)
    if job.path is None:
        return _rows_for(job, "missing", "no notebook submitted for this lesson / 这一课没有提交笔记本"), None
    try:
        submission = read_submission(job.path, lesson, every_id)
    except InvalidSubmission as error:
        return _rows_for(job, "invalid", str(error)), None
    except OSError as error:
        return _rows_for(job, "invalid", f"the notebook cannot be read / 无法读取笔记本: {error}"), None
    graded = build_graded_notebook(template, submission)
    scratch = job.scratch_base / str(job.index)
    uid = FIRST_UID + job.index
    _copy_lesson_folder(job.path.parent, scratch)
    prepare_scratch(scratch, uid, job.matplotlib_cache)
    try:
        problems = run_cells(graded, scratch, timeout=job.timeout, uid=uid, view=job.view, limits=job.limits)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(scratch.parent / f"{scratch.name}-kernelspec", ignore_errors=True)
    rows = score_notebook(lesson, graded, problems)
    return rows, graded


def _copy_lesson_folder(folder: Path, scratch: Path, max_bytes: int = 50 * 2**20) -> None:
    """Only that student's lesson folder, without symbolic links or huge files / 只复制该学生这一课的目录。"""
    scratch.mkdir(parents=True)
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file() or path.stat().st_size > max_bytes:
            continue
        target = scratch / path.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def _matplotlib_cache(base: Path) -> Path | None:
    """A font cache built once, copied into each scratch folder / 只构建一次的字体缓存，复制到每个临时目录。"""
    cache = base / "matplotlib-cache"
    cache.mkdir()
    env = {**os.environ, "MPLCONFIGDIR": str(cache)}
    built = subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, capture_output=True)
    return cache if built.returncode == 0 else None


def _write_gradebook(db_url: str, work, results) -> None:
    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import SaveAutoGrades

    with CourseLayout.environment_tools_on_path(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(db_url) as gradebook:
            for student, lesson, submitted in work:
                gradebook.update_or_create_student(student)
                if submitted is not None:
                    gradebook.update_or_create_submission(lesson, student)
        for student, lesson, _ in work:
            executed = results[(student, lesson)][1]
            if executed is None:
                continue
            resources = {"nbgrader": {"db_url": db_url, "assignment": lesson, "notebook": lesson, "student": student}}
            SaveAutoGrades().preprocess(nbformat.from_dict(executed), resources)


def write_csvs(out: Path, ordered) -> Path:
    """``out`` with one row per exercise, and ``<out stem>.totals.csv`` with one per (student, lesson)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    totals_path = out.with_name(out.stem + ".totals.csv")
    with out.open("w", newline="", encoding="utf-8") as rows_file, totals_path.open("w", newline="", encoding="utf-8") as totals_file:
        rows, totals = csv.writer(rows_file), csv.writer(totals_file)
        rows.writerow(CSV_FIELDS)
        totals.writerow(TOTAL_FIELDS)
        for student, lesson, results in ordered:
            for r in results:
                assert r.status in STATUSES
                rows.writerow([student, lesson, r.grade_id, f"{r.score:g}", f"{r.max_score:g}", r.status, r.message])
            worst = next((r.status for r in results if r.status != "ok"), "ok")
            totals.writerow([student, lesson, f"{sum(r.score for r in results):g}", f"{sum(r.max_score for r in results):g}", worst])
    return totals_path


def write_feedback(
    feedback_dir: Path, course: CourseLayout, db_url: str, student: str, lesson: str, executed, lang: str = "both"
) -> Path:
    """nbgrader's HTML feedback for one submission, showing visible tests only.

    生成一份提交的 nbgrader HTML 反馈，只显示可见测试。
    """
    import nbgrader
    from nbconvert.exporters import HTMLExporter
    from nbgrader.preprocessors import GetGrades
    from traitlets.config import Config

    release = nbformat.read(course.release_notebook(lesson), as_version=4)
    visible = {nbgrader_meta(c).get("grade_id"): c.source for c in release.cells if is_test(c)}
    display = nbformat.from_dict(json.loads(json.dumps(executed)))
    display.cells = [c for c in display.cells if c.get("id") != "course-guard"]
    for cell in display.cells:
        if is_test(cell):
            cell.source = visible.get(nbgrader_meta(cell)["grade_id"], "")
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    if output.get("ename") == "NotImplementedError" and not output.get("evalue"):
                        output["evalue"] = NOT_ANSWERED
                    output["evalue"] = in_language(output.get("evalue", ""), lang)
                    output["traceback"] = [f"{output.get('ename')}: {output.get('evalue')}"]  # no hidden code / 不显示隐藏代码
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
        stamp = submission / name
        if stamp.is_file() and not stamp.is_symlink() and stamp.stat().st_size < 4096:
            shutil.copyfile(stamp, feedback / name)
        else:  # not an nbgrader submission: no stale stamp of an earlier one / 不是 nbgrader 提交：不留旧的时间戳
            (feedback / name).unlink(missing_ok=True)
