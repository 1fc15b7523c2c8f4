"""Grading one submission, for ``course check`` and ``course grade`` alike / 评阅一份提交（course check 与 course grade 共用）。

``grade_submission`` is the one path, read as a list of steps:

1. read and validate the submitted file (``grading.read_submission``): a link is never followed
   (``Status.LINKED``), a broken file is ``Status.INVALID``, none at all ``Status.MISSING``;
2. build the notebook to run from the lesson's template (``grading.build_graded_notebook``):
   the released notebook for ``course check`` (visible tests), the stubbed source for ``course grade``
   (hidden tests too); only answer cells come from the submission;
3. run it in a scratch folder this module creates, fills with the submission's own files (never a
   link) and removes (``scratch_folder``, ``notebook_runner.run_cells``), sandboxed or not;
4. score it (``scoring.score_notebook``) into a ``results.SubmissionResult``;
5. for ``course grade``, a ``judging.Judge`` adds observing cells to step 2 and collects what they
   wrote in step 3 (raw bytes, ``SubmissionResult.observations``); the grader compares them with the
   reference (``observe_reference``) and ``judging.confirm`` keeps only confirmed points.

只有一条评阅路径：读取并校验提交 → 由模板构建要运行的笔记本 → 在本模块创建并清理的临时目录中运行 → 计分。
"""

import contextlib
import functools
import importlib
import json
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from course.grading import (
    GUARD_CELL_ID,
    LINKED_MESSAGE,
    InvalidSubmission,
    Lesson,
    LinkedSubmission,
    build_graded_notebook,
    context_cells,
    exercise_of,
    first_link,
    is_test,
    nbgrader_meta,
    read_course_notebook,
    read_regular_file,
    read_submission,
    setup_cell,
    stubbed,
)
from course.layout import CourseLayout
from course.results import Status, SubmissionResult
from course.sandbox import Limits

if TYPE_CHECKING:  # numpy only where judging runs / 只在需要评判时导入 numpy
    from course.judging import Judge

MISSING_MESSAGE = "no notebook submitted for this lesson / 这一课没有提交笔记本"
LINKED_FOLDER_MESSAGE = "the folder {name} of the submission is a link, which is never followed / 提交中的目录 {name} 是一个链接，评阅程序不会跟随链接"
# Files of a submission larger than this stay out of the scratch folder / 大于此值的提交文件不复制到临时目录
MAX_SIDE_FILE_BYTES = 50 * 2**20
# All the files of one submission copied into its scratch folder / 复制到临时目录的文件总大小上限
MAX_COPIED_BYTES = 200 * 2**20
# Folders a scratch copy leaves out / 临时副本中不包括的目录
SKIPPED_FOLDERS = (".ipynb_checkpoints",)


@dataclass(frozen=True)
class GradedAs:
    """What a submission is graded against: the lesson (its exercises and points), the template the run
    notebook is built from, and every exercise id of the course (to spot another lesson's notebook).

    评阅的依据：课程（练习与分值）、构建运行笔记本的模板，以及全部课程的练习 id。
    """

    lesson: Lesson
    template: nbformat.NotebookNode
    known_ids: frozenset[str]

    @classmethod
    def visible_tests(cls, course: CourseLayout, name: str) -> "GradedAs":
        """``course check``: the released notebook, so the visible tests only / 学生版笔记本：只有可见测试。"""
        lesson = Lesson.from_notebook(name, course.release_notebook(name))
        return cls(lesson, lesson.source, all_exercise_ids(course))

    @classmethod
    def hidden_tests(cls, course: CourseLayout, name: str) -> "GradedAs":
        """``course grade``: the source with the released stubs as answers, hidden tests included / 含隐藏测试的源笔记本。"""
        lesson = course_lessons(course)[name]
        release = read_course_notebook(course.release_notebook(name))
        return cls(lesson, stubbed(lesson.source, release), all_exercise_ids(course))


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
    zygote: str | None = None  # a ``course.zygote`` socket to fork kernels from / 派生内核的父进程套接字


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
    what the observing cells wrote, for the grader to compare.
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
        return SubmissionResult.not_graded(lesson.name, lesson.max_scores(), Status.LINKED, str(error))
    except InvalidSubmission as error:
        return SubmissionResult.not_graded(lesson.name, lesson.max_scores(), Status.INVALID, str(error))
    graded = build_graded_notebook(graded_as.template, submission)
    in_order = list(graded.cells)
    judging = []
    if judge is not None:
        graded.cells = with_observers(in_order, *judge.cells(scratch))
        judging = [c for c in graded.cells if c not in in_order]
    from course.notebook_runner import run_cells

    # The scoring modules (nbgrader, a second or so) load while the kernel starts / 内核启动期间加载计分模块（nbgrader）
    loader = threading.Thread(target=_preload, args=("course.scoring",), daemon=True)
    loader.start()
    with scratch_folder(notebook.parent, scratch, kernel) as folder:
        if judge is not None:
            judge.prepare(folder)
        timings: dict[str, float] = {}
        problems = run_cells(graded, folder, timeout=kernel.timeout, uid=kernel.uid or 0, view=kernel.view,
                             limits=kernel.limits, sandboxed=kernel.sandboxed, zygote=kernel.zygote, timings=timings)  # fmt: skip
        observations = judge.collect(folder) if judge is not None else None
    phases = time_by_phase(graded.cells, judging, timings)
    graded.cells = in_order  # the same cells, with their outputs, in the lesson's order / 同样的单元格（含输出），按课程顺序
    loader.join()
    from course.scoring import score_notebook

    rows = score_notebook(lesson, graded, problems)
    return SubmissionResult(lesson.name, rows, dict(graded), observations=observations, timings=phases)


def with_observers(cells: list, preamble: list, observe: dict) -> list:
    """``cells`` in their order, with the judge's preamble after the set-up and guard cells (before any learner
    code) and each exercise's observing cell just before its first test cell: no code or expected value
    of an exercise's tests is in the kernel when it is observed, and a cell that kills the kernel still
    costs only the exercises after it, as in nbgrader.

    按原顺序排列单元格，评判前导放在准备与守护单元格之后（任何学生代码之前），每个练习的观察单元格放在它的第一个
    测试单元格之前：观察时内核中没有该练习测试的代码或期望值；令内核退出的单元格仍只影响其后的练习。
    """
    observe = dict(observe)
    ordered = []
    for cell in cells:
        if is_test(cell) and exercise_of(nbgrader_meta(cell)["grade_id"]) in observe:
            ordered.append(observe.pop(exercise_of(nbgrader_meta(cell)["grade_id"])))
        ordered.append(cell)
        if cell.get("id") == GUARD_CELL_ID:
            ordered.extend(preamble)
    return ordered + list(observe.values())


# Where a submission's time goes / 一份提交的时间花在哪里
PHASES = ("start", "set-up", "answers", "judging", "tests")


def time_by_phase(cells: list, judging: list, timings: dict[str, float]) -> dict[str, float]:
    """Seconds per phase: the kernel's start, the set-up (and guard) cells, the learner's answers and the
    locked cells, the observing cells, the test cells / 各阶段的秒数：内核启动、准备、答案、观察、测试。"""
    phases = dict.fromkeys(PHASES, 0.0)
    phases["start"] = timings.get("start", 0.0)
    judging_ids = {c.get("id") for c in judging}
    for index, cell in enumerate(cells):
        seconds = timings.get(cell.get("id"), 0.0)
        phase = "judging" if cell.get("id") in judging_ids else "tests" if is_test(cell) else "set-up" if index < 2 else "answers"
        phases[phase] += seconds
    return phases


def observe_reference(course: CourseLayout, judge: "Judge", scratch: Path, timeout: int, zygote: str | None = None) -> dict[str, bytes]:
    """What the observers report on the lesson's own solution, in a kernel that runs no learner code:
    the set-up, locked and solution cells of ``solutions/``, then the observing cells (no tests).

    在只运行参考答案的内核中（准备、锁定与答案单元格，然后是观察单元格，不运行测试）得到观察结果。
    """
    from course.notebook_runner import run_cells

    source = read_course_notebook(course.source_notebook(judge.lesson))
    cells = [setup_cell(source), *context_cells(source)]
    reference = nbformat.v4.new_notebook(cells=[nbformat.from_dict(json.loads(json.dumps(c))) for c in cells], metadata=source.metadata)
    preamble, observe = judge.cells(scratch)
    reference.cells[1:1] = preamble
    reference.cells.extend(observe.values())
    with scratch_folder(course.source_notebook(judge.lesson).parent, scratch, Kernel(timeout)) as folder:
        judge.prepare(folder)
        run_cells(reference, folder, timeout=timeout, sandboxed=False, zygote=zygote)
        return judge.collect(folder)


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
    from course.notebook_runner import prepare_scratch

    try:
        copy_submission_folder(submission, scratch)
        prepare_scratch(scratch, kernel.uid, kernel.matplotlib_cache)
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(scratch.parent / f"{scratch.name}-kernelspec", ignore_errors=True)


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
