"""Trusted judging: no point on the word of the learner's process / 可信评判：不凭学生进程的一面之词给分。

A learner's kernel can rewrite anything inside itself — the guard, the checking functions, how
errors are shown, the messages it sends — so what its test cells report is not trusted on its own.
Each graded exercise is also *confirmed*: the grader draws inputs from a secret seed, the learner's
kernel and a reference kernel (the lesson's solution, no learner code) each run the exercise's
observer on them, and the grader compares the plain data both sent back (``course.plain_data``), in
its own process, with the tolerances the lesson declares. A test cell's points count only if its
exercise is confirmed.

Observers live next to the tests, in ``solutions/<lesson>/observers.py`` (never released). For each
graded exercise ``<grade_id>`` the file defines::

    def inputs_<grade_id>(rng):               # in the grader: keyword arguments, plain data
    def observe_<grade_id>(ns, **inputs):     # in the kernels: ``ns`` is the notebook's globals;
                                              # returns plain data (numbers, arrays, strings, lists, dicts)

and may set ``TOLERANCES = {grade_id: (rtol, atol)}`` (default ``DEFAULT_TOLERANCE``). It imports
only numpy and the standard library at the top (torch inside the observers): the grader imports it.
可信评判：评阅程序用秘密种子生成输入，学生内核与参考内核（只运行参考答案）分别在这些输入上运行观察函数，
评阅程序在自己的进程中比较两边返回的纯数据；只有得到确认的练习，其测试单元格的分数才算数。
"""

import functools
import importlib.util
import math
import shutil
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat
import numpy as np

from course import kernel_observer, plain_data
from course.grading import exercise_of, is_test, nbgrader_meta, read_regular_file
from course.results import Status, SubmissionResult

OBSERVERS_FILE = "observers.py"
# The folder of a scratch copy where inputs and observations lie / 临时目录中存放输入与观察结果的子目录
JUDGE_FOLDER = ".course-judge"
# The kernel's name for the observing code / 内核中观察代码的名称
JUDGE_NAME = "__course_judge__"
DEFAULT_TOLERANCE = (1e-7, 1e-10)
CELL_PREFIX = "course-judge"

NOT_OBSERVED = (
    "the grader could not check this answer on fresh inputs (the kernel stopped before, or it reported nothing) / "
    "评阅程序无法在新的输入上复核这个答案（内核提前停止，或没有报告结果）"
)
RAISED = "on fresh inputs the answer raised {name} / 在新的输入上，答案抛出了 {name}"
DIFFERS = "on fresh inputs the answer differs from the reference solution ({where}) / 在新的输入上，答案与参考答案不同（{where}）"
NOT_PLAIN = "what the kernel reported is not plain data ({why}) / 内核报告的不是纯数据（{why}）"


class JudgingError(RuntimeError):
    """The lesson's observers or reference solution cannot be used: an instructor's problem, said clearly.

    该课的观察函数或参考答案无法使用：这是教师需要修复的问题。
    """


def observers_path(course, lesson: str) -> Path:
    """``solutions/<lesson>/observers.py`` / 该课的观察函数文件。"""
    return course.source_notebook(lesson).parent / OBSERVERS_FILE


@functools.cache
def load_observers(path: Path):
    """The observers file as a module of the grader (instructor code, never a learner's) / 把观察函数文件作为模块载入。"""
    if not path.is_file():
        raise JudgingError(f"{path} is missing: every graded lesson needs its observers / 缺少 {path}：每个评分课程都需要观察函数")
    spec = importlib.util.spec_from_file_location(f"course_observers_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def observed_exercises(module) -> list[str]:
    """The grade ids ``module`` observes: those with both ``inputs_`` and ``observe_`` / 观察函数覆盖的练习。"""
    names = vars(module)
    return sorted(n[len("observe_") :] for n in names if n.startswith("observe_") and callable(names.get("inputs_" + n[len("observe_") :])))


@dataclass(frozen=True)
class Judge:
    """What one batch asks the answers of one lesson: the inputs drawn for it, the observers' source,
    the tolerances, and (once the reference kernel ran) the reference's observations.

    一个批次向某课答案提出的问题：为其抽取的输入、观察函数源代码、容差，以及参考内核的观察结果。
    """

    lesson: str
    grade_ids: tuple[str, ...]
    source: str
    inputs: bytes
    tolerances: dict = field(default_factory=dict)
    reference: dict | None = None

    @classmethod
    def draw(cls, course, lesson: str, exercises, seed: int) -> "Judge":
        """Inputs for every exercise of ``lesson`` from ``seed``; ``JudgingError`` if one is not observed.

        用 seed 为该课每个练习生成输入；有练习没有观察函数时抛出 JudgingError。
        """
        path = observers_path(course, lesson)
        module = load_observers(path)
        missing = sorted(set(exercises) - set(observed_exercises(module)))
        if missing:
            raise JudgingError(f"{path} observes no {', '.join(missing)} / {path} 缺少这些练习的观察函数：{', '.join(missing)}")
        inputs = {}
        for grade_id in exercises:
            rng = np.random.default_rng([seed, zlib.crc32(grade_id.encode())])
            inputs[grade_id] = getattr(module, "inputs_" + grade_id)(rng)
            if not isinstance(inputs[grade_id], dict):
                raise JudgingError(f"inputs_{grade_id} must return a dict of keyword arguments / 必须返回关键字参数字典")
        tolerances = {g: tuple(getattr(module, "TOLERANCES", {}).get(g, DEFAULT_TOLERANCE)) for g in exercises}
        return cls(lesson, tuple(exercises), path.read_text(encoding="utf-8"), plain_data.encode(inputs), tolerances)

    def cells(self, scratch: Path) -> tuple[list, dict]:
        """The cells added to a notebook run in ``scratch``: the preamble that sends the observing code (run
        before any learner code), and one observing cell per exercise, by grade id (run before the
        exercise's first test cell, so none of its tests' code or expected values is in the kernel yet).

        加入笔记本的单元格：发送观察代码的前导单元格（在任何学生代码之前运行），以及每个练习一个观察单元格
        （在该练习的第一个测试单元格之前运行，此时内核中还没有它的测试代码或期望值）。
        """
        setup = (
            f"{JUDGE_NAME} = {{'__name__': 'course_judge'}}\n"
            f"exec({_source(plain_data)!r}, {JUDGE_NAME})\n"
            f"exec({_source(kernel_observer)!r}, {JUDGE_NAME})\n"
            f"{JUDGE_NAME}['FOLDER'] = {str(scratch / JUDGE_FOLDER)!r}\n"
            f"{JUDGE_NAME}['OBSERVERS'] = {{'__name__': 'course_observers'}}\n"
            f"exec({self.source!r}, {JUDGE_NAME}['OBSERVERS'])\n"
        )
        observe = {}
        for grade_id in self.grade_ids:
            # The guard puts back what a learner's cell may have changed (grad mode, default dtype)
            # 守护代码恢复学生单元格可能改变的状态（梯度模式、默认 dtype）
            source = f"try:\n    __course_restore__()\nexcept Exception:\n    pass\n{JUDGE_NAME}['observe']({grade_id!r}, globals())\n"
            observe[grade_id] = nbformat.v4.new_code_cell(source, id=f"{CELL_PREFIX}-{grade_id}")
        return [nbformat.v4.new_code_cell(setup, id=CELL_PREFIX)], observe

    def prepare(self, scratch: Path) -> Path:
        """A fresh judging folder in ``scratch`` holding the inputs (whatever the submission had there is gone).

        在临时目录中新建评判目录并写入输入（提交中同名的内容会被清除）。
        """
        folder = scratch / JUDGE_FOLDER
        if folder.is_symlink() or folder.is_file():
            folder.unlink()
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        (folder / "inputs.zip").write_bytes(self.inputs)
        return folder

    def collect(self, scratch: Path) -> dict[str, bytes]:
        """The bytes each exercise's observation left, read without following links, within the size limit.

        读取每个练习的观察结果字节（不跟随链接，受大小限制）。
        """
        found = {}
        for grade_id in self.grade_ids:
            try:
                found[grade_id] = read_regular_file(scratch / JUDGE_FOLDER / f"{grade_id}.zip", plain_data.MAX_BYTES)
            except OSError:
                continue
        return found

    def with_reference(self, collected: dict[str, bytes]) -> "Judge":
        """This judge with the reference kernel's observations; ``JudgingError`` if one is missing or raised.

        记录参考内核的观察结果；有缺失或异常时抛出 JudgingError。
        """
        reference = {}
        for grade_id in self.grade_ids:
            try:
                outcome = plain_data.decode(collected[grade_id])
            except (KeyError, plain_data.PlainDataError):
                raise JudgingError(f"the reference solution of {grade_id} reported no observation / 参考答案没有给出 {grade_id} 的观察结果") from None
            if "value" not in outcome:
                raise JudgingError(f"the reference solution failed its observer {grade_id}: {outcome} / 参考答案的观察函数 {grade_id} 出错")
            reference[grade_id] = outcome["value"]
        return replace(self, reference=reference)

    def verdicts(self, collected: dict[str, bytes]) -> dict[str, str | None]:
        """For each exercise, None if the learner's observation matches the reference, else why not.

        每个练习：与参考一致时为 None，否则给出原因。
        """
        verdicts = {}
        for grade_id in self.grade_ids:
            if grade_id not in collected:
                verdicts[grade_id] = NOT_OBSERVED
                continue
            try:
                outcome = plain_data.decode(collected[grade_id])
            except plain_data.PlainDataError as error:
                verdicts[grade_id] = NOT_PLAIN.format(why=error)
                continue
            if not isinstance(outcome, dict) or set(outcome) not in ({"value"}, {"raised"}, {"unencodable"}):
                verdicts[grade_id] = NOT_PLAIN.format(why="unexpected shape / 结构不符")
            elif "raised" in outcome:
                verdicts[grade_id] = RAISED.format(name=str(outcome["raised"])[:80])
            elif "unencodable" in outcome:
                verdicts[grade_id] = NOT_PLAIN.format(why=str(outcome["unencodable"])[:200])
            else:
                where = mismatch(self.reference[grade_id], outcome["value"], *self.tolerances[grade_id])
                verdicts[grade_id] = None if where is None else DIFFERS.format(where=where)
        return verdicts


def _source(module) -> str:
    return Path(module.__file__).read_text(encoding="utf-8")


def mismatch(expected, got, rtol: float, atol: float, where: str = "result") -> str | None:
    """Where ``got`` first differs from ``expected`` (both decoded plain data), or None. Types must agree
    (an int may stand for a float); arrays need the same shape and dtype and close values.

    返回 got 与 expected 第一处不同的位置；相同时返回 None。
    """
    if isinstance(expected, dict):
        if not isinstance(got, dict) or list(got) != list(expected):
            return where
        return next((m for k in expected if (m := mismatch(expected[k], got[k], rtol, atol, f"{where}[{k!r}]"))), None)
    if isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            return where
        return next((m for i, e in enumerate(expected) if (m := mismatch(e, got[i], rtol, atol, f"{where}[{i}]"))), None)
    if isinstance(expected, np.ndarray):
        if not isinstance(got, np.ndarray) or got.shape != expected.shape or got.dtype != expected.dtype:
            return where
        if expected.dtype.kind == "f":
            return None if np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True) else where
        return None if np.array_equal(got, expected) else where
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        return None if type(got) is type(expected) and got == expected else where
    if isinstance(expected, int | float):
        if isinstance(got, bool) or not isinstance(got, int | float):
            return where
        if math.isnan(expected) or math.isnan(got):
            return None if math.isnan(expected) and math.isnan(got) else where
        return None if got == expected or math.isclose(got, expected, rel_tol=rtol, abs_tol=atol) else where
    return where


def confirm(result: SubmissionResult, verdicts: dict[str, str | None]) -> SubmissionResult:
    """``result`` with every exercise the judge observed and did not confirm at 0 points: its rows, and its test cells in
    the executed notebook (an error output saying why), so the gradebook and feedback agree.

    未得到确认的练习记 0 分：结果行与执行后笔记本中的测试单元格（附加说明原因的错误输出）都如此，成绩库与反馈因而一致。
    """
    rows = []
    for row in result.rows:
        verdict = verdicts.get(row.grade_id)  # answers graded by hand are not observed / 人工评分的答案不参与观察
        if verdict is not None:
            keep = row.status is not Status.OK
            row = replace(row, score=0.0, status=row.status if keep else Status.FAILED, message=row.message if keep else verdict)
        rows.append(row)
    notebook = result.notebook
    if notebook is not None:
        for cell in notebook.get("cells", []):
            verdict = verdicts.get(exercise_of(nbgrader_meta(cell).get("grade_id", "")), NOT_OBSERVED) if is_test(cell) else None
            if verdict is not None:
                cell.setdefault("outputs", []).append(nbformat.v4.new_output("error", ename="NotConfirmed", evalue=verdict, traceback=[]))
    return replace(result, rows=rows, notebook=notebook)
