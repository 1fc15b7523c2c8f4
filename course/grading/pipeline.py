"""Grading one submission, for ``course check`` and ``course grade`` alike / 评阅一份提交（course check 与 course grade 共用）。

``grade_submission`` is the one path, read as a list of steps:

1. read and validate the submitted file (``grading.read_submission``): a link is never followed
   (``Status.LINKED``), a broken file is ``Status.INVALID``, none at all ``Status.MISSING``;
2. build the notebook to run from the **released** notebook (``grading.build_graded_notebook``): its
   set-up, locked and visible test cells, with the submission's answer cells; hidden tests never
   run in a learner's kernel;
3. run it in a scratch folder this module creates, fills with the submission's own files (never a
   link) and removes (``scratch_folder``, ``execute``), sandboxed or not; for ``course grade`` a
   ``judging.Judge`` then observes each exercise in the same kernel, after every released cell, and
   each observation is read as its cell ends;
4. score it (``scoring.score_notebook``) into a ``results.SubmissionResult``; for ``course grade``
   the grader compares the observations with the reference solution's (``observe_reference``, the
   solution graded by this same path) and ``judging.confirm`` keeps only confirmed points.

只有一条评阅路径：读取并校验提交 → 由发布的笔记本构建要运行的笔记本（隐藏测试从不在学生内核中运行）→ 在临时目录中运行，
随后在同一内核中逐个观察练习，每个观察结果在其单元格结束时读取 → 计分，再与参考答案的观察结果比较。
"""

import contextlib
import functools
import importlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from course.bilingual import Text
from course.kernel.sandbox import Limits
from course.kernel.scratch import KernelFolder
from course.layout import CourseLayout
from course.notebook.build import build_graded_notebook
from course.notebook.cells import cell_copy, is_answer, is_test, nbgrader_meta
from course.notebook.lesson import Lesson, read_course_notebook
from course.notebook.submission import LINKED_MESSAGE, InvalidSubmission, LinkedSubmission, read_submission
from course.results import CellProblem, Status, SubmissionResult
from course.safe_files import first_link, read_regular_file

if TYPE_CHECKING:  # numpy only where judging runs / 只在需要评判时导入 numpy
    from course.grading.judging import Judge

MISSING_MESSAGE = Text("no notebook submitted for this lesson", "这一课没有提交笔记本")
LINKED_FOLDER_MESSAGE = Text("the folder {name} of the submission is a link, which is never followed", "提交中的目录 {name} 是一个链接，评阅程序不会跟随链接")
# Files of a submission larger than this stay out of the scratch folder / 大于此值的提交文件不复制到临时目录
MAX_SIDE_FILE_BYTES = 50 * 2**20
# All the files of one submission copied into its scratch folder / 复制到临时目录的文件总大小上限
MAX_COPIED_BYTES = 200 * 2**20
# Folders a scratch copy leaves out / 临时副本中不包括的目录
SKIPPED_FOLDERS = (".ipynb_checkpoints",)


@dataclass(frozen=True)
class GradedAs:
    """What a submission is graded against: the lesson (its exercises and points, from ``solutions/``), the
    released notebook the run notebook is built from, and every exercise id of the course (to spot
    another lesson's notebook).

    评阅的依据：课程（练习与分值，取自 solutions/）、构建运行笔记本所用的发布版笔记本，以及全部课程的练习 id。
    """

    lesson: Lesson
    template: nbformat.NotebookNode
    known_ids: frozenset[str]

    @classmethod
    def of(cls, course: CourseLayout, name: str) -> "GradedAs":
        """Lesson ``name`` of ``course``: what ``course check`` and ``course grade`` both run / 两个命令运行的同一课。"""
        return cls(course_lessons(course)[name], read_course_notebook(course.release_notebook(name)), all_exercise_ids(course))


@functools.cache
def course_lessons(course: CourseLayout) -> dict[str, Lesson]:
    """Every lesson of the course, from its source notebook, read once per process / 课程的全部课程（每个进程只读一次）。"""
    return {name: Lesson.from_notebook(name, course.source_notebook(name)) for name in course.lessons()}


def all_exercise_ids(course: CourseLayout) -> frozenset[str]:
    return frozenset().union(*(lesson.exercises for lesson in course_lessons(course).values()))


@dataclass(frozen=True)
class Kernel:
    """How the grading kernel runs: sandboxed or not, as which user, seeing what, within which limits.

    评阅内核的运行方式：是否带沙箱、以哪个用户、能看到什么、受哪些限制。
    """

    timeout: int = 60
    sandboxed: bool = False
    uid: int | None = None
    view: tuple = ((), (), ())
    limits: Limits = field(default_factory=Limits)
    matplotlib_cache: Path | None = None
    zygote: str | None = None  # a ``course.kernel.zygote`` socket to fork kernels from / 派生内核的父进程套接字
    lang: str | None = None  # the learner's language in the kernel (a zygote's kernels have its own) / 内核中学生的语言


def user_matplotlib_cache() -> Path | None:
    """This user's matplotlib cache, as matplotlib finds it, if there is one: its font list spares a kernel
    rebuilding it (about half a second) / 当前用户的 matplotlib 缓存目录：其中的字体列表让内核无需重建（约半秒）。
    """
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = Path(os.environ.get("MPLCONFIGDIR") or cache_home / "matplotlib")
    return folder if folder.is_dir() else None


def grade_submission(
    notebook: Path | None, graded_as: GradedAs, scratch: Path, kernel: Kernel, within: Path, judge: "Judge | None" = None
) -> SubmissionResult:
    """Grade the notebook at ``notebook`` (None: nothing submitted) into a ``SubmissionResult``.

    ``within`` is the trusted folder the submission lies in (``SUBMITTED`` for ``course grade``): a link
    below it, the notebook or a folder on its way, makes the submission ``Status.LINKED``. ``scratch``
    must not exist; it is created for the run and removed after it. With ``judge``, the result carries
    what each observing cell showed, for the grader to compare.
    评阅一份提交。within 之下（笔记本或其所在目录）出现链接时记为 linked；scratch 由本函数创建并在结束后删除。
    """
    lesson = graded_as.lesson
    if notebook is None:
        return SubmissionResult.not_graded(lesson.name, lesson.max_scores(), Status.MISSING, MISSING_MESSAGE)
    try:
        link = first_link(notebook, within)
        if link is not None:
            raise LinkedSubmission(LINKED_MESSAGE if link == notebook else LINKED_FOLDER_MESSAGE.format(name=link.name))
        submission = read_submission(notebook, lesson, set(graded_as.known_ids))
    except LinkedSubmission as error:
        return SubmissionResult.not_graded(lesson.name, lesson.max_scores(), Status.LINKED, error.message)
    except InvalidSubmission as error:
        return SubmissionResult.not_graded(lesson.name, lesson.max_scores(), Status.INVALID, error.message)
    graded = build_graded_notebook(graded_as.template, submission)
    # The scoring modules (nbgrader, a second or so) load while the kernel starts / 内核启动期间加载计分模块（nbgrader）
    loader = threading.Thread(target=_preload, args=("course.grading.scoring",), daemon=True)
    loader.start()
    with scratch_folder(notebook.parent, scratch, kernel) as folder:
        run = execute(graded, folder, kernel, judge)
    loader.join()
    from course.grading.scoring import score_notebook

    rows = score_notebook(lesson, run.notebook, run.problems)
    return SubmissionResult(lesson.name, rows, dict(run.notebook), observations=run.observations if judge else None, timings=run.timings)


@dataclass
class Execution:
    """One submission's run: the released cells as they stood when the last of them ended (what feedback and
    scores are made of), their problems, each exercise's observation text as read when its cell ended, and
    seconds per phase. 一次运行：发布的单元格在最后一个结束时的样子、它们的问题、各练习在其单元格结束时读到的观察文本与各阶段耗时。
    """

    notebook: nbformat.NotebookNode
    problems: dict[str, CellProblem]
    observations: dict[str, str | None]
    timings: dict[str, float]


# Kernels one submission may use: a kernel that dies costs at most this many fresh ones for what it could not observe
# 一份提交最多使用的内核数：内核崩溃后，为其未能观察的练习最多再启动这么多个新内核
MAX_KERNELS = 3


def execute(graded: nbformat.NotebookNode, folder: Path, kernel: Kernel, judge: "Judge | None" = None) -> Execution:
    """Run ``graded`` (the released cells) in a kernel in ``folder``, then, with ``judge``, observe every exercise there.

    The released cells' outputs are copied as soon as the last of them ends, before any judging code
    enters the kernel, so nothing of the judging can show in them. Each observation is copied as its
    cell ends. If the kernel dies, the exercises it could not observe and whose answers had run are
    observed in a fresh kernel that runs the released cells that had run, then their observing cells
    (at most ``MAX_KERNELS`` kernels in all); the exercise whose observation killed a kernel is not.
    先运行发布的单元格，在任何评判代码进入内核之前复制其输出；然后逐个观察练习，每个观察结果在其单元格结束时复制。
    内核崩溃时，在新内核中重新运行已运行的发布单元格，再观察尚未观察、且答案已运行的练习。
    """
    released = list(graded.cells)
    watch = _Watch(judge, released)
    timings: dict[str, float] = {}
    cells = released + (judge.cells() if judge is not None else [])
    problems = _run(cells, graded.metadata, folder, kernel, timings, watch.first_run)
    shown = watch.shown or [cell_copy(c, keep_outputs=True) for c in released]  # died among them: no judging ran / 在其中退出：未评判
    phases = dict.fromkeys(PHASES, 0.0)
    _add_phases(phases, released, timings)
    if watch.shown and judge is not None:  # every released cell ended: if the kernel died, it died observing / 若内核退出，则是在观察时
        watch.gave_up_on(judge.grade_ids)
    for _ in range(MAX_KERNELS - 1):
        pending = watch.still_to_observe()
        if not pending:
            break
        again: dict[str, float] = {}
        _run([cell_copy(c) for c in watch.ran()] + judge.cells(pending), graded.metadata, folder, kernel, again, watch.observe)
        watch.gave_up_on(pending)
        phases["judging"] += sum(again.values())
    released_ids = {c.get("id") for c in released}
    kept = {cell_id: problem for cell_id, problem in problems.items() if cell_id in released_ids}
    return Execution(nbformat.v4.new_notebook(cells=shown, metadata=graded.metadata), kept, watch.observations, phases)


def _run(cells: list, metadata, folder: Path, kernel: Kernel, timings: dict, on_cell_end) -> dict[str, CellProblem]:
    from course.kernel.runner import run_cells

    return run_cells(nbformat.v4.new_notebook(cells=cells, metadata=metadata), folder, timeout=kernel.timeout, uid=kernel.uid or 0,
                     view=kernel.view, limits=kernel.limits, sandboxed=kernel.sandboxed, zygote=kernel.zygote, timings=timings,
                     on_cell_end=on_cell_end, lang=kernel.lang)  # fmt: skip


class _Watch:
    """What ``execute`` keeps as cells end: which released cells ended, their outputs once the last one
    ended, and each observation / execute 在单元格结束时保存的内容。"""

    def __init__(self, judge: "Judge | None", released: list):
        self.judge, self.released = judge, released
        # The runner reports code cells only; a written answer (Markdown) may come last / 运行器只报告代码单元格；书面答案可能在最后
        self.last_code = max((i for i, c in enumerate(released) if c.get("cell_type") == "code"), default=-1)
        self.ended: set[str] = set()
        self.shown: list = []
        self.observations: dict[str, str | None] = {}

    def first_run(self, index: int, cell) -> None:
        self.ended.add(cell.get("id"))
        if index == self.last_code:  # the last released cell: its outputs and all before, now / 最后一个发布的单元格：此刻复制
            self.shown = [cell_copy(c, keep_outputs=True) for c in self.released]
        self.observe(index, cell)

    def observe(self, index: int, cell) -> None:
        grade_id = self.judge.grade_id_of(cell) if self.judge is not None else None
        if grade_id is not None and grade_id not in self.observations:
            self.observations[grade_id] = self.judge.observation(cell)

    def ran(self) -> list:
        """The released cells up to the first one that did not end (the kernel died there) / 直到第一个未结束的单元格之前的发布单元格。"""
        ran = []
        for cell in self.released:
            if cell.get("cell_type") == "code" and cell.get("id") not in self.ended:
                break
            ran.append(cell)
        return ran

    def still_to_observe(self) -> list[str]:
        """Exercises not observed yet whose answer cell ran / 尚未观察且答案已运行的练习。"""
        if self.judge is None:
            return []
        answered = {nbgrader_meta(c).get("grade_id") for c in self.ran() if is_answer(c)}
        return [g for g in self.judge.grade_ids if g not in self.observations and g in answered]

    def gave_up_on(self, grade_ids) -> None:
        """The first of ``grade_ids`` not observed killed its kernel: it stays unobserved / 第一个未观察到的练习令内核退出：不再观察。"""
        killer = next((g for g in grade_ids if g not in self.observations), None)
        if killer is not None:
            self.observations[killer] = None


# Where a submission's time goes / 一份提交的时间花在哪里
PHASES = ("start", "set-up", "answers", "judging", "tests")


def _add_phases(phases: dict[str, float], released: list, timings: dict[str, float]) -> None:
    """Seconds per phase: the kernel's start, the set-up (and guard) cells, the learner's answers and the
    locked cells, the test cells, the observing cells / 各阶段的秒数：内核启动、准备、答案、测试、观察。"""
    phases["start"] += timings.get("start", 0.0)
    released_ids = {c.get("id"): index for index, c in enumerate(released)}
    for cell_id, seconds in timings.items():
        if cell_id == "start":
            continue
        index = released_ids.get(cell_id)
        if index is None:
            phases["judging"] += seconds
        else:
            cell = released[index]
            phases["tests" if is_test(cell) else "set-up" if index < 2 else "answers"] += seconds


def observe_reference(course: CourseLayout, judge: "Judge", scratch: Path, timeout: int, zygote: str | None = None) -> dict[str, str | None]:
    """What the observers report on the lesson's own solution: ``solutions/`` graded by this same path, its
    answers in the released notebook, unsandboxed (it runs no learner code).

    参考答案的观察结果：用同一条路径评阅 solutions/ 中的答案（不带沙箱：不运行学生代码）。
    """
    source = course.source_notebook(judge.lesson)
    graded = build_graded_notebook(read_course_notebook(course.release_notebook(judge.lesson)), read_course_notebook(source))
    with scratch_folder(source.parent, scratch, Kernel(timeout, zygote=zygote)) as folder:
        return execute(graded, folder, Kernel(timeout, zygote=zygote), judge).observations


def _preload(module: str) -> None:
    """Import ``module`` ahead of need; a failure here is left to the real import to report / 提前导入；失败由正式导入报告。"""
    with contextlib.suppress(Exception):
        importlib.import_module(module)


@contextlib.contextmanager
def scratch_folder(submission: Path, scratch: Path, kernel: Kernel) -> Iterator[Path]:
    """``scratch``, created with a copy of the submission's folder, ready for the kernel; removed afterwards,
    with the kernel spec the runner wrote beside it.

    创建临时目录（含提交目录的副本）供内核使用，结束后连同旁边的内核描述一起删除。
    """
    from course.kernel.runner import prepare_scratch

    try:
        copy_submission_folder(submission, scratch)
        prepare_scratch(scratch, kernel.uid, kernel.matplotlib_cache)
        yield scratch
    finally:
        KernelFolder(scratch).remove()


def copy_submission_folder(folder: Path, scratch: Path, max_bytes: int = MAX_SIDE_FILE_BYTES) -> None:
    """The regular files of ``folder`` into ``scratch``: no link is followed or copied, huge files,
    checkpoints and the scratch folder itself (when it lies inside ``folder``) stay out; at most
    ``MAX_COPIED_BYTES`` in all. 只复制提交目录中的普通文件：不跟随也不复制链接，跳过过大的文件、检查点和临时目录本身。
    """
    scratch.mkdir(parents=True)
    own = {scratch.resolve(), scratch.parent.resolve()} - {Path(folder).resolve()}
    budget = MAX_COPIED_BYTES
    for root, folders, files in os.walk(folder, followlinks=False):
        folders[:] = [
            name for name in folders
            if name not in SKIPPED_FOLDERS and not os.path.islink(os.path.join(root, name))
            and Path(root, name).resolve() not in own
        ]  # fmt: skip
        target = scratch / Path(root).relative_to(folder)
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            try:
                data = read_regular_file(Path(root) / name, min(max_bytes, budget))
            except OSError:  # a link, a device, a FIFO or too big / 链接、设备、FIFO 或过大
                continue
            budget -= len(data)
            (target / name).write_bytes(data)
