"""Trusted judging: no point on the word of the learner's process / 可信评判：不凭学生进程的一面之词给分。

A learner's kernel can rewrite anything inside itself — the guard, the checking functions, how
errors are shown, the messages it sends — so what its test cells report can only take points away.
Each graded exercise is *confirmed* or not by the grader: it draws inputs from a secret seed, the
learner's kernel and a reference kernel (the lesson's solution, graded the same way) each run the
exercise's observer on them, and the grader compares the plain data both sent back
(``course.kernel.injected.plain_data``), in its own process, with the tolerances the lesson declares. A test cell's
points count only if its exercise is confirmed: that is the hidden check, and nothing of it but its
verdict ever reaches the learner.

What enters a learner's kernel, and when: the released cells, run first; then (``Judge.cells``) a
preamble with ``course.kernel.injected.plain_data``, ``course.kernel.injected.observer`` and the lesson's observe functions
(extracted from ``observers.py``: not its input generators, tolerances or anything else), and one
observing cell per exercise that carries that exercise's inputs and nothing else. Hidden tests,
expected values and reference observations never do. Each observation is the text of its cell's
output, read by the grader when the cell ends (``Judge.observation``).

Observers live next to the tests, in ``solutions/<lesson>/observers.py`` (never released). For each
graded exercise ``<grade_id>`` the file defines::

    def inputs_<grade_id>(rng):               # in the grader: keyword arguments, plain data
    def observe_<grade_id>(ns, **inputs):     # in the kernels: ``ns`` is the notebook's globals;
                                              # returns plain data (numbers, arrays, strings, lists, dicts)

and may set ``TOLERANCES = {grade_id: (rtol, atol)}`` (default ``DEFAULT_TOLERANCE``) and
``FORBIDDEN = {grade_id: ("torch.gather", ...)}``: functions the answer must not call, by any route,
while it is observed (``helpers.calls``). It imports only numpy and the standard library at the top
(torch inside the observers): the grader imports it.
可信评判：评阅程序用秘密种子生成输入，学生内核与参考内核分别在这些输入上运行观察函数，评阅程序在自己的进程中比较两边返回的纯数据；
只有得到确认的练习，其测试单元格的分数才算数。进入学生内核的只有：已发布的单元格、观察函数（不含输入生成器与容差）以及每个练习
自己的输入；隐藏测试、期望值与参考结果从不进入。
"""

import ast
import base64
import binascii
import builtins
import functools
import importlib.util
import math
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat
import numpy as np

from course.bilingual import Text, halves
from course.errors import CourseError
from course.kernel.injected import observer as kernel_observer
from course.kernel.injected import plain_data
from course.notebook.cells import is_test, names_bound
from course.notebook.lesson import read_course_notebook
from course.results import Status, SubmissionResult

OBSERVERS_FILE = "observers.py"
# The kernel's name for the observing code / 内核中观察代码的名称
JUDGE_NAME = "__course_judge__"
DEFAULT_TOLERANCE = (1e-7, 1e-10)
CELL_PREFIX = "course-judge"
# The longest observation text read from an output (base64 of MAX_BYTES) / 从输出读取的观察文本的最大长度
MAX_OBSERVATION_TEXT = 4 * (plain_data.MAX_BYTES // 3 + 1)

NOT_OBSERVED = Text(
    "the grader could not check this answer on fresh inputs (the kernel stopped before, or it reported nothing)",
    "评阅程序无法在新的输入上复核这个答案（内核提前停止，或没有报告结果）",
)
RAISED = Text("on fresh inputs the answer raised {name}", "在新的输入上，答案抛出了 {name}")
# An exception name is shown only when it is one of Python's own: the rest is the learner's text / 只显示 Python 自带的异常名
OTHER_EXCEPTION = Text("an exception", "一个异常")
DIFFERS = Text("on fresh inputs the answer differs from the reference solution ({where})", "在新的输入上，答案与参考答案不同（{where}）")
NOT_PLAIN = Text("what the kernel reported is not plain data", "内核报告的不是纯数据")
FORBIDDEN_CALL = Text(
    "on fresh inputs the answer called {name}, which this exercise asks you not to use",
    "在新的输入上，答案调用了 {name}，本练习要求不使用它",
)


class JudgingError(CourseError):
    """The lesson's observers or reference solution cannot be used: an instructor's problem, said clearly, and nothing
    is graded. 该课的观察函数或参考答案无法使用：这是教师需要修复的问题，不评阅任何提交。
    """

    def __init__(self, problem: str):
        english, chinese = halves(problem)
        super().__init__(Text(f"nothing was graded, the lesson's observers need fixing: {english}",
                              f"没有评阅任何提交，需要修复该课的观察函数：{chinese}"))  # fmt: skip


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


def observer_source(path: Path, grade_ids) -> str:
    """The part of ``observers.py`` a kernel needs: its imports, the ``observe_`` functions of ``grade_ids`` and
    what they use, without comments. Input generators, tolerances and the rest stay with the grader.

    内核所需的部分：导入语句、这些练习的 observe_ 函数及其用到的定义（不含注释）；输入生成器、容差等留在评阅程序中。
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports, defined = [], {}
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            imports.append(node)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined[node.name] = node
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        defined[name.id] = node
    needed, todo = set(), [f"observe_{grade_id}" for grade_id in grade_ids]
    while todo:
        name = todo.pop()
        if name in needed or name not in defined:
            continue
        needed.add(name)
        todo.extend(n.id for n in ast.walk(defined[name]) if isinstance(n, ast.Name))
    kept = {id(defined[name]) for name in needed}
    body = imports + [node for node in tree.body if id(node) in kept]
    return ast.unparse(ast.Module(body=body, type_ignores=[]))


def tests_own_names(release: nbformat.NotebookNode) -> tuple[str, ...]:
    """The names the released test cells bind and no set-up, locked or answer cell does / 只由测试单元格绑定的名称。"""
    tests = set().union(*(names_bound(c.source) for c in release.cells if is_test(c) and c.cell_type == "code"))
    others = set().union(*(names_bound(c.source) for c in release.cells if c.cell_type == "code" and not is_test(c)))
    return tuple(sorted(tests - others))


def _source(module) -> str:
    return Path(module.__file__).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Judge:
    """What one batch asks the answers of one lesson: the observe functions' source, the inputs drawn for
    each exercise (plain data, base64), the tolerances, the forbidden calls, and (once the reference
    kernel ran) the reference's observations.

    一个批次向某课答案提出的问题：观察函数源代码、为每个练习抽取的输入、容差、禁止调用的函数，以及参考内核的观察结果。
    """

    lesson: str
    grade_ids: tuple[str, ...]
    observers: str
    inputs: dict[str, str]
    tolerances: dict = field(default_factory=dict)
    forbidden: dict = field(default_factory=dict)
    reference: dict | None = None
    test_names: tuple[str, ...] = ()

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
            drawn = getattr(module, "inputs_" + grade_id)(rng)
            if not isinstance(drawn, dict):
                raise JudgingError(f"inputs_{grade_id} must return a dict of keyword arguments / 必须返回关键字参数字典")
            inputs[grade_id] = base64.b64encode(plain_data.encode(drawn)).decode("ascii")
        tolerances = {g: tuple(getattr(module, "TOLERANCES", {}).get(g, DEFAULT_TOLERANCE)) for g in exercises}
        forbidden = {g: tuple(getattr(module, "FORBIDDEN", {}).get(g, ())) for g in exercises}
        return cls(lesson, tuple(exercises), observer_source(path, exercises), inputs, tolerances, forbidden,
                   test_names=tests_own_names(read_course_notebook(course.release_notebook(lesson))))

    def preamble(self) -> nbformat.NotebookNode:
        """The cell that sends the observing code, run after every released cell. It first forgets what the test
        cells alone defined (their data, their reference helpers), so an answer observed sees the set-up, the
        locked cells and the answers, as the lesson's solution does.

        发送观察代码的单元格，在所有发布的单元格之后运行；先删除只由测试单元格定义的名称（测试数据与参考辅助函数），
        使被观察的答案只能看到准备、锁定单元格与答案。
        """
        source = (
            f"for __course_name__ in {self.test_names!r}:\n    globals().pop(__course_name__, None)\n"
            f"{JUDGE_NAME} = {{'__name__': 'course_judge'}}\n"
            f"exec({_source(plain_data)!r}, {JUDGE_NAME})\n"
            f"exec({_source(kernel_observer)!r}, {JUDGE_NAME})\n"
            f"{JUDGE_NAME}['OBSERVERS'] = {{'__name__': 'course_observers'}}\n"
            f"exec({self.observers!r}, {JUDGE_NAME}['OBSERVERS'])\n"
        )
        return nbformat.v4.new_code_cell(source, id=CELL_PREFIX)

    def observing(self, grade_id: str) -> nbformat.NotebookNode:
        """The cell that observes ``grade_id``: the guard first (it puts back grad mode and the default dtype a
        learner's cell may have changed), then the call, carrying this exercise's inputs only.

        观察 grade_id 的单元格：先运行守护代码（恢复学生单元格可能改变的梯度模式与默认 dtype），再调用观察函数，只携带本练习的输入。
        """
        call = f"{JUDGE_NAME}['publish']({grade_id!r}, globals(), {self.inputs[grade_id]!r}, {self.forbidden.get(grade_id, ())!r})\n"
        source = f"try:\n    __course_restore__()\nexcept Exception:\n    pass\n{call}"
        return nbformat.v4.new_code_cell(source, id=f"{CELL_PREFIX}-{grade_id}")

    def cells(self, grade_ids=None) -> list:
        """The preamble and the observing cells of ``grade_ids`` (default: all), appended after the released cells.

        前导单元格与各练习的观察单元格（默认全部），追加在已发布的单元格之后。
        """
        return [self.preamble(), *(self.observing(g) for g in (self.grade_ids if grade_ids is None else grade_ids))]

    def observe_in_process(self, namespace: dict, grade_id: str) -> str:
        """The same observing code run in this process on ``namespace`` (for the wrong-answer tests) / 在本进程中运行同样的观察代码。"""
        if JUDGE_NAME not in namespace:
            exec(compile(self.preamble().source, "<course-judge>", "exec"), namespace)
        return namespace[JUDGE_NAME]["observe"](grade_id, namespace, self.inputs[grade_id], self.forbidden.get(grade_id, ()))

    @staticmethod
    def grade_id_of(cell) -> str | None:
        """The exercise an observing cell observes, else None / 观察单元格所观察的练习。"""
        cell_id = str(cell.get("id", ""))
        return cell_id[len(CELL_PREFIX) + 1 :] if cell_id.startswith(CELL_PREFIX + "-") else None

    @staticmethod
    def observation(cell) -> str | None:
        """The observation text in a finished observing cell's outputs: None when it shows none, ``""`` when it
        shows something else than exactly one observation / 观察单元格输出中的观察文本：没有时为 None，格式不符时为空字符串。
        """
        found = [
            output.get("data", {}).get(kernel_observer.OBSERVATION)
            for output in cell.get("outputs", [])
            if isinstance(output, dict) and isinstance(output.get("data"), dict) and kernel_observer.OBSERVATION in output["data"]
        ]
        if not found:
            return None
        if len(found) != 1 or not isinstance(found[0], str) or len(found[0]) > MAX_OBSERVATION_TEXT:
            return ""
        return found[0]

    def with_reference(self, collected: dict) -> "Judge":
        """This judge with the reference kernel's observations; ``JudgingError`` if one is missing or raised.

        记录参考内核的观察结果；有缺失或异常时抛出 JudgingError。
        """
        reference = {}
        for grade_id in self.grade_ids:
            try:
                outcome = decode_observation(collected.get(grade_id))
            except plain_data.PlainDataError:
                raise JudgingError(f"the reference solution of {grade_id} reported no observation / 参考答案没有给出 {grade_id} 的观察结果") from None
            if set(outcome) != {"value"}:
                raise JudgingError(f"the reference solution failed its observer {grade_id}: {outcome} / 参考答案的观察函数 {grade_id} 出错")
            reference[grade_id] = outcome["value"]
        return replace(self, reference=reference)

    def verdicts(self, collected: dict) -> dict[str, str | None]:
        """For each exercise, None if the learner's observation matches the reference, else why not. Every
        message is the grader's own text: nothing the learner's kernel sent is quoted. An exception here is
        the grader's failure on this submission, for the caller to report.

        每个练习：与参考一致时为 None，否则给出原因。信息全部由评阅程序生成，不引用学生内核发送的任何内容。
        """
        verdicts = {}
        for grade_id in self.grade_ids:
            text = collected.get(grade_id)
            if text is None:
                verdicts[grade_id] = NOT_OBSERVED
                continue
            try:
                outcome = decode_observation(text)
            except plain_data.PlainDataError:
                verdicts[grade_id] = NOT_PLAIN
                continue
            kind = next(iter(outcome)) if isinstance(outcome, dict) and len(outcome) == 1 else None
            if kind == "value":
                where = mismatch(self.reference[grade_id], outcome["value"], *self.tolerances[grade_id])
                verdicts[grade_id] = None if where is None else DIFFERS.format(where=where)
            elif kind == "raised":
                verdicts[grade_id] = RAISED.format(name=python_exception_name(outcome["raised"]))
            elif kind == "forbidden":
                named = outcome["forbidden"] if outcome["forbidden"] in self.forbidden.get(grade_id, ()) else Text("a forbidden function", "禁止的函数")
                verdicts[grade_id] = FORBIDDEN_CALL.format(name=named)
            else:  # "unencodable", or any other shape / 无法编码或其他结构
                verdicts[grade_id] = NOT_PLAIN
        return verdicts


def decode_observation(text) -> object:
    """The plain data an observation's text carries; ``PlainDataError`` for anything else / 观察文本中的纯数据。"""
    if not isinstance(text, str) or not text or len(text) > MAX_OBSERVATION_TEXT:
        raise plain_data.PlainDataError("no observation / 没有观察结果")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise plain_data.PlainDataError("not base64 / 不是 base64") from None
    return plain_data.decode(data)


def python_exception_name(name) -> str:
    """``name`` if it is one of Python's built-in exceptions, else a neutral word: the name came from the kernel.

    若为 Python 内置异常名则原样返回，否则返回中性的说法（这个名称来自内核）。
    """
    found = getattr(builtins, name, None) if isinstance(name, str) and name.isidentifier() else None
    return name if isinstance(found, type) and issubclass(found, BaseException) else OTHER_EXCEPTION


def mismatch(expected, got, rtol: float, atol: float, where: str = "result") -> str | None:
    """Where ``got`` first differs from ``expected`` (both decoded plain data), or None. Types must agree
    (an int may stand for a float); arrays need the same shape and dtype and close values. ``where`` is
    built from the reference's keys and indices only.

    返回 got 与 expected 第一处不同的位置；相同时返回 None。位置只由参考结果的键与下标构成。
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
    """``result`` with each judged exercise marked confirmed or not; an unconfirmed one scores 0 in every test
    cell, and its row says why (unless a test had already failed). Answers graded by hand are not judged.

    标记每个练习是否得到确认；未确认的练习每个测试单元格都记 0 分，并说明原因（若测试已失败则保留测试的信息）。人工评分的答案不参与评判。
    """
    rows = []
    for row in result.rows:
        if row.grade_id not in verdicts:
            rows.append(row)
            continue
        verdict = verdicts[row.grade_id]
        if verdict is None:
            rows.append(replace(row, confirmed=True))
            continue
        keep = row.status is not Status.OK
        rows.append(replace(row, confirmed=False, verdict=verdict, score=0.0, cell_scores=dict.fromkeys(row.cell_scores, 0.0),
                            status=row.status if keep else Status.FAILED, message=row.message if keep else verdict))  # fmt: skip
    return replace(result, rows=rows)
