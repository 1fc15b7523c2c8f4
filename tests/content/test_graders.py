"""The graded tests reject plausible wrong answers and accept every correct one; so does trusted judging.
评分测试会拒绝常见的错误答案，并接受所有正确答案；可信评判也是如此。

For each exercise, its answer cell is replaced by an answer from tests/answers/lessonNN.py and its
test cells (visible and hidden) are run on it, the way nbgrader runs them after the lesson's set-up;
then, as `course grade` does after the released cells, the lesson's observers (course.grading.judging) run on
the same namespace through the same observing code, and what they report is compared with the
reference solution's on the same inputs.
A wrong answer must fail a test and fail confirmation, unless the answers module lists it in
``TESTS_ONLY`` with the reason only a test can see it (how it computes, not what).
"""

import contextlib
import dataclasses
import functools
import importlib
import os
import re
import sys
import tempfile
import types
import warnings

import numpy as np
import pytest
from lesson_cells import (
    LAYOUT,
    SOLUTIONS,
    answer_cells,
    context_cells,
    grading_cells_of,
    lesson_notebooks,
    read,
    setup_cell,
)

from course.grading.judging import Judge
from course.grading.pipeline import course_lessons
from course.grading.scoring import TORCH_WARNING

LESSONS = {p.stem[:2]: p for p in lesson_notebooks(SOLUTIONS)}
_MISSING = object()
# Any seed will do: inputs differ from the notebooks' own test inputs / 任意种子均可：输入不同于笔记本测试中的输入
SEED = 20261129


def answers_of(lesson_number: str):
    return importlib.import_module(f"answers.lesson{lesson_number}")


@contextlib.contextmanager
def modules_restored():
    """Undo what an answer monkey-patches in shared modules and classes / 撤销答案对共享模块和类所做的猴子补丁"""
    names = ["numpy", "numpy.testing", "numpy.linalg", "torch", "helpers.checks"]
    targets = [sys.modules[n] for n in names if n in sys.modules] + [np.ndarray]
    if "torch" in sys.modules:
        targets.append(sys.modules["torch"].Tensor)
    saved = [(target, dict(vars(target))) for target in targets]
    torch = sys.modules.get("torch")
    torch_state = (torch.is_grad_enabled(), torch.get_default_dtype()) if torch else None
    try:
        yield
    finally:
        if torch_state:
            # A wrong answer may leave grad mode off or another default dtype / 错误答案可能关闭梯度模式或改变默认 dtype
            torch.set_grad_enabled(torch_state[0])
            torch.set_default_dtype(torch_state[1])
        for target, attributes in saved:
            for key, value in attributes.items():
                if vars(target).get(key, _MISSING) is not value:
                    with contextlib.suppress(TypeError, AttributeError):
                        setattr(target, key, value)
            for key in set(vars(target)) - set(attributes):
                # Submodules imported meanwhile stay: numpy finds them there / 期间导入的子模块保留
                if not isinstance(vars(target)[key], types.ModuleType):
                    with contextlib.suppress(TypeError, AttributeError):
                        delattr(target, key)


@functools.cache
def judge_of(notebook) -> Judge:
    """The lesson's judge with the reference solution's observations, all in this process / 带参考观察结果的评判"""
    lesson = course_lessons(LAYOUT)[notebook.parent.name]
    judge = Judge.draw(LAYOUT, lesson.name, list(lesson.exercises), SEED)
    solution = answer_cells(read(notebook))
    _, collected = run_with(notebook, next(iter(solution)), solution[next(iter(solution))].source, judge)
    return judge.with_reference(collected)


def run_with(notebook, grade_id: str, answer_source: str, judge: Judge | None = None) -> tuple[list[str], dict]:
    """Run the set-up, the locked cells, all answers (this one replaced) and this exercise's tests; return the
    failures, and with ``judge`` what its observing code reported afterwards (as the kernel of `course grade` would)."""
    nb = read(notebook)
    namespace = {"__name__": "__main__"}
    here = os.getcwd()
    with modules_restored(), tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        try:
            exec(compile(setup_cell(nb).source, "<setup>", "exec"), namespace)
            for cell in context_cells(nb):
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("grade_id") == grade_id and meta.get("solution"):
                    # An answer that raises runs on into its tests, as under nbgrader / 与 nbgrader 相同：答案报错后照常运行测试
                    with contextlib.suppress(Exception):
                        exec(compile(answer_source, f"<{grade_id}>", "exec"), namespace)
                    continue
                exec(compile(cell.source, f"<{meta.get('grade_id', 'cell')}>", "exec"), namespace)
            failures = []
            tests = grading_cells_of(nb, grade_id)
            assert tests, f"{grade_id} has no test cell / {grade_id} 没有测试单元格"
            for cell in tests:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    try:
                        exec(compile(cell.source, f"<{cell.metadata.nbgrader.grade_id}>", "exec"), namespace)
                    except Exception as error:  # any exception fails a test cell, as in nbgrader / 与 nbgrader 相同，任何异常都算失败
                        failures.append(f"{type(error).__name__}: {error}")
                # nbgrader gives 0 to a test cell that wrote to stderr, and warnings go there, except torch's own, which
                # both graders ignore (course.grading.scoring) / 测试单元格写 stderr 即得 0 分；两种评阅都忽略 torch 自己的警告
                failures.extend(f"warning on stderr: {w.message}" for w in caught if not re.search(TORCH_WARNING, str(w.message)))
            collected = {}
            # Observed after the tests, as `course grade` observes after every released cell / 与 course grade 相同：在测试之后观察
            for observed in judge.grade_ids if judge is not None else ():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    collected[observed] = judge.observe_in_process(namespace, observed)
        finally:
            os.chdir(here)  # an answer may have moved away / 答案可能改变了工作目录
    return failures, collected


def judged(notebook, grade_id: str, answer_source: str) -> tuple[list[str], str | None]:
    """The test failures and the judge's verdict on this exercise (None: confirmed) / 测试失败信息与评判结论"""
    judge = dataclasses.replace(judge_of(notebook), grade_ids=(grade_id,))  # this exercise only / 只看这个练习
    failures, collected = run_with(notebook, grade_id, answer_source, judge)
    return failures, judge.verdicts(collected)[grade_id]


def cases(kind: str):
    for number, notebook in LESSONS.items():
        table = getattr(answers_of(number), kind)
        for grade_id, answers in table.items():
            for label, source in answers.items():
                yield pytest.param(notebook, grade_id, source, id=f"{grade_id}-{label}")


@pytest.mark.parametrize(("notebook", "grade_id", "source"), list(cases("WRONG")))
def test_wrong_answer_is_rejected(notebook, grade_id, source, request):
    """A plausible wrong answer fails at least one test cell, and confirmation / 常见的错误答案至少让一个测试单元格失败，且无法通过复核"""
    failures, verdict = judged(notebook, grade_id, source)
    assert failures, "the graders accepted a wrong answer / 评分测试接受了错误答案"
    label = request.node.callspec.id.split("-", 1)[1]
    if label not in getattr(answers_of(notebook.stem[:2]), "TESTS_ONLY", {}).get(grade_id, {}):
        assert verdict is not None, "trusted judging confirmed a wrong answer / 可信评判确认了错误答案"


@pytest.mark.parametrize(("notebook", "grade_id", "source"), list(cases("RIGHT")))
def test_other_correct_answer_is_accepted(notebook, grade_id, source):
    """A correct answer written another way passes, and is confirmed / 换一种写法的正确答案可以通过，并得到确认"""
    assert judged(notebook, grade_id, source) == ([], None)


@pytest.mark.parametrize("notebook", list(LESSONS.values()), ids=lambda p: p.stem)
def test_solutions_pass_their_tests(notebook):
    """Each reference solution passes its own tests / 每个参考答案都能通过自己的测试"""
    for grade_id, cell in answer_cells(read(notebook)).items():
        assert judged(notebook, grade_id, cell.source) == ([], None), grade_id


@pytest.mark.parametrize("notebook", list(LESSONS.values()), ids=lambda p: p.stem)
def test_every_exercise_has_wrong_and_right_answers(notebook):
    """Each exercise has at least 3 wrong answers and 1 other correct answer on file / 每个练习至少有 3 个错误答案和 1 个其他正确答案"""
    answers = answers_of(notebook.stem[:2])
    for grade_id in answer_cells(read(notebook)):
        assert len(answers.WRONG.get(grade_id, {})) >= 3, f"{grade_id}: too few wrong answers / 错误答案太少"
        assert len(answers.RIGHT.get(grade_id, {})) >= 1, f"{grade_id}: no other correct answer / 没有其他正确答案"


@pytest.mark.parametrize("notebook", list(LESSONS.values()), ids=lambda p: p.stem)
def test_only_listed_wrong_answers_pass_judging(notebook):
    """Every entry of TESTS_ONLY names a wrong answer on file, with a reason / TESTS_ONLY 中的每一项都是已有的错误答案，并写明原因"""
    answers = answers_of(notebook.stem[:2])
    for grade_id, labels in getattr(answers, "TESTS_ONLY", {}).items():
        for label, reason in labels.items():
            assert label in answers.WRONG.get(grade_id, {}), f"{grade_id}/{label} is not a wrong answer on file"
            assert len(reason) > 20, f"{grade_id}/{label}: say why only a test can see it"
