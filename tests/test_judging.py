"""Trusted judging: plain data only, decoded under limits, compared outside the learner's process; every
exercise of every lesson observed. 可信评判：只有纯数据，在限制之内解码，在学生进程之外比较；每课每个练习都有观察函数。
"""

import functools
import io
import json
import math
import subprocess
import sys
import zipfile

import nbformat
import numpy as np
import pytest
from lesson_cells import LAYOUT, NOTEBOOKS, read
from nbgrader.utils import determine_grade

from course import plain_data
from course.grading import is_test, nbgrader_meta
from course.judging import (
    NOT_OBSERVED,
    OBSERVERS_FILE,
    Judge,
    JudgingError,
    confirm,
    load_observers,
    mismatch,
    observed_exercises,
    observers_path,
)
from course.pipeline import course_lessons
from course.results import ExerciseResult, Status, SubmissionResult

LESSONS = course_lessons(LAYOUT)


def test_plain_data_round_trips():
    """Numbers, strings, lists, dicts and numeric arrays come back equal, tuples as lists / 纯数据往返后不变"""
    value = {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "ok": True, "n": 3, "x": 0.5, "nan": math.nan,
             "inf": -math.inf, "s": "梯度", "none": None, "items": (1, [2.5, np.int64(7)]), "mask": np.array([True, False])}  # fmt: skip
    back = plain_data.decode(plain_data.encode(value))
    assert back["w"].dtype == np.float32 and np.array_equal(back["w"], value["w"])
    assert back["items"] == [1, [2.5, 7]] and type(back["items"][1][1]) is int
    assert math.isnan(back["nan"]) and back["inf"] == -math.inf and back["s"] == "梯度" and back["none"] is None
    assert back["mask"].dtype == bool and back["ok"] is True


@pytest.mark.parametrize(
    "value",
    [object(), np.array([object()], dtype=object), {1: "key not a string"}, np.array([1j]), functools.reduce(lambda x, _: [x], range(40), 0)],
    ids=["object", "object_array", "int_key", "complex", "too_deep"],
)
def test_what_is_not_plain_data_is_not_encoded(value):
    """Objects, object arrays, non-string keys, complex numbers and deep nesting are refused / 非纯数据被拒绝"""
    with pytest.raises(plain_data.PlainDataError):
        plain_data.encode(value)


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _npy(array, allow_pickle=False) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"not a zip file",
        _zip({"tree.json": b'{"a": 0}', "0.npy": _npy(np.array([{"x": 1}], dtype=object), allow_pickle=True)}),
        _zip({"tree.json": b'{"a": 0}'}),
        _zip({"tree.json": b'{"x": 1}'}),
        _zip({"tree.json": b"[" * 100_000 + b"]" * 100_000}),
        _zip({"tree.json": b'{"a": 0}', "0.npy": b"\0" * 2_000_000}, zipfile.ZIP_DEFLATED),
        _zip({"tree.json": b'{"d": [[1, 2]]}'}),
    ],
    ids=["not_zip", "pickled_object_array", "missing_array", "untagged_dict", "deep_json", "zip_bomb", "int_key"],
)
def test_bytes_that_are_not_plain_data_are_refused(data):
    """Pickles, bombs, deep or malformed trees raise PlainDataError, never anything else / 不合规的字节一律以 PlainDataError 拒绝"""
    with pytest.raises(plain_data.PlainDataError):
        plain_data.decode(data, max_bytes=1_000_000)


def test_mismatch_is_strict_on_types_and_close_on_floats():
    """Floats within tolerance match; other types, shapes, dtypes, keys and key order do not / 浮点数在容差内相等，其他必须一致"""
    a = np.array([1.0, 2.0])
    assert mismatch({"w": a, "n": 3}, {"w": a * (1 + 1e-9), "n": 3.0}, 1e-7, 0.0) is None
    assert mismatch(1.0, True, 1e-7, 0.0) == "result"
    assert mismatch(a, a.astype(np.float32), 1e-7, 0.0) == "result"
    assert mismatch(a, a[:1], 1e-7, 0.0) == "result"
    assert mismatch({"a": 1, "b": 2}, {"b": 2, "a": 1}, 1e-7, 0.0) == "result"
    assert mismatch([1.0, math.nan], [1.0, math.nan], 1e-7, 0.0) is None
    assert mismatch({"x": [0, "s"]}, {"x": [0, "t"]}, 1e-7, 0.0) == "result['x'][1]"
    assert mismatch(np.array([1, 2]), np.array([1, 3]), 1.0, 1.0) == "result"  # integers compare exactly / 整数精确比较


@pytest.mark.parametrize("lesson", list(LESSONS), ids=str)
def test_every_exercise_has_an_observer(lesson):
    """Each graded exercise of each lesson has inputs_ and observe_, and nothing is observed that is not graded / 每个练习都有观察函数"""
    module = load_observers(observers_path(LAYOUT, lesson))
    assert set(observed_exercises(module)) == set(LESSONS[lesson].exercises)


@pytest.mark.parametrize("lesson", list(LESSONS), ids=str)
def test_observers_stay_with_the_instructor(lesson):
    """observers.py is never released to learners / observers.py 不会发布给学生"""
    assert observers_path(LAYOUT, lesson).is_file()
    assert not (NOTEBOOKS / lesson / OBSERVERS_FILE).exists()


def test_the_grader_imports_observers_without_torch():
    """The grader's process imports the observers with numpy and the standard library only / 评阅进程导入观察函数时不导入 torch"""
    code = (
        "import sys\nfrom course.judging import load_observers, observers_path\nfrom course.layout import CourseLayout\n"
        f"course = CourseLayout({str(LAYOUT.root)!r})\n"
        "for lesson in course.lessons():\n    load_observers(observers_path(course, lesson))\n"
        "print('torch' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_inputs_differ_with_the_seed_and_repeat_with_it():
    """The secret seed decides the inputs: the same seed gives the same bytes, another seed others / 秘密种子决定输入"""
    lesson = LESSONS["01_numpy_gradient_descent"]
    first, again, other = (Judge.draw(LAYOUT, lesson.name, list(lesson.exercises), seed) for seed in (1, 1, 2))
    assert first.inputs == again.inputs and first.inputs != other.inputs


def test_a_course_without_observers_is_refused(tmp_path):
    """A lesson without observers.py, or missing one exercise, stops grading with a clear message / 缺少观察函数时给出清楚的错误"""
    (tmp_path / "solutions" / "01_x").mkdir(parents=True)
    course = type(LAYOUT)(tmp_path)
    with pytest.raises(JudgingError, match="missing"):
        Judge.draw(course, "01_x", ["ex01_a"], 0)
    observers_path(course, "01_x").write_text("def inputs_ex01_a(rng):\n    return {}\ndef observe_ex01_a(ns):\n    return 1\n")
    with pytest.raises(JudgingError, match="ex01_b"):
        Judge.draw(course, "01_x", ["ex01_a", "ex01_b"], 0)


def _judge_with_reference(reference) -> Judge:
    judge = Judge("01_x", ("ex01_a",), "", plain_data.encode({"ex01_a": {}}), {"ex01_a": (1e-7, 0.0)})
    return judge.with_reference({"ex01_a": plain_data.encode({"value": reference})})


def test_verdicts_say_why_an_answer_is_not_confirmed():
    """Missing, unreadable, raising, unencodable and differing observations are not confirmed; a match is / 各种情况的结论"""
    judge = _judge_with_reference([1.0, 2.0])
    cases = {
        "missing": ({}, NOT_OBSERVED),
        "garbage": ({"ex01_a": b"garbage"}, "not plain data"),
        "raised": ({"ex01_a": plain_data.encode({"raised": "ZeroDivisionError"})}, "raised ZeroDivisionError"),
        "unencodable": ({"ex01_a": plain_data.encode({"unencodable": "object"})}, "not plain data"),
        "other_key": ({"ex01_a": plain_data.encode({"value": [1.0, 2.0], "extra": 1})}, "not plain data"),
        "differs": ({"ex01_a": plain_data.encode({"value": [1.0, 2.5]})}, "differs"),
    }
    for name, (collected, says) in cases.items():
        assert says in judge.verdicts(collected)["ex01_a"], name
    assert judge.verdicts({"ex01_a": plain_data.encode({"value": [1.0, 2.0]})}) == {"ex01_a": None}


def test_a_reference_that_fails_its_observer_stops_grading():
    """If the solution itself raises in its observer, no learner is judged against it / 参考答案的观察函数出错时停止评阅"""
    judge = Judge("01_x", ("ex01_a",), "", plain_data.encode({"ex01_a": {}}))
    with pytest.raises(JudgingError):
        judge.with_reference({"ex01_a": plain_data.encode({"raised": "NameError"})})
    with pytest.raises(JudgingError):
        judge.with_reference({})


def test_unconfirmed_exercises_score_nothing_in_the_rows_and_the_gradebook_notebook():
    """confirm() zeroes an unconfirmed exercise in its row and in its test cells, which nbgrader then scores 0 / 未确认的练习记 0 分"""
    nb = read(LAYOUT.source_notebook("01_numpy_gradient_descent"))
    tests = [c for c in nb.cells if is_test(c)]
    assert all(determine_grade(c)[0] == nbgrader_meta(c)["points"] for c in tests)
    rows = [ExerciseResult(g, Status.OK, 2.0, 2.0) for g in LESSONS["01_numpy_gradient_descent"].exercises]
    verdicts = dict.fromkeys((r.grade_id for r in rows), None) | {"ex01_fit": "differs / 不同"}
    judged = confirm(SubmissionResult("01_numpy_gradient_descent", rows, json.loads(json.dumps(nb))), verdicts)
    by_id = {r.grade_id: r for r in judged.rows}
    assert by_id["ex01_fit"].score == 0 and by_id["ex01_fit"].status is Status.FAILED and by_id["ex01_fit"].message == "differs / 不同"
    assert all(r.score == 2.0 for g, r in by_id.items() if g != "ex01_fit")
    cells = [nbformat.from_dict(c) for c in judged.notebook["cells"] if is_test(c)]
    zeroed = {nbgrader_meta(c)["grade_id"] for c in cells if determine_grade(c)[0] == 0}
    assert zeroed == {"ex01_fit_test"}
