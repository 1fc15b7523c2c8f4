"""Trusted judging: plain data only, decoded under limits, compared outside the learner's process; every
exercise of every lesson observed. 可信评判：只有纯数据，在限制之内解码，在学生进程之外比较；每课每个练习都有观察函数。
"""

import base64
import functools
import io
import json
import math
import subprocess
import sys
import tracemalloc
import warnings
import zipfile

import nbformat
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lesson_cells import LAYOUT, NOTEBOOKS, read

from course.grading.judging import (
    MAX_OBSERVATION_TEXT,
    NOT_OBSERVED,
    OBSERVERS_FILE,
    OTHER_EXCEPTION,
    Judge,
    JudgingError,
    confirm,
    load_observers,
    mismatch,
    observed_exercises,
    observer_source,
    observers_path,
    python_exception_name,
)
from course.grading.pipeline import course_lessons
from course.kernel.injected import plain_data
from course.kernel.injected.observer import OBSERVATION
from course.notebook.cells import exercise_of, is_test, nbgrader_meta
from course.results import ExerciseResult, Status, SubmissionResult
from helpers.calls import calls_to

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
    [object(), np.array([object()], dtype=object), {1: "key not a string"}, np.array([1j]), functools.reduce(lambda x, _: [x], range(40), 0), 2**64],
    ids=["object", "object_array", "int_key", "complex", "too_deep", "huge_int"],
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


def _npy_header(descr: str, shape, fortran: bool = False) -> bytes:
    """A version 1.0 .npy header declaring ``descr`` and ``shape``, padded as numpy pads it / 声明 dtype 与形状的 .npy 头部"""
    text = repr({"descr": descr, "fortran_order": fortran, "shape": tuple(shape)}).encode("latin1")
    text += b" " * (63 - (len(text) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text


def _zip_duplicate() -> bytes:
    """A zip holding tree.json twice / 含两个 tree.json 的 zip"""
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")
        archive.writestr("tree.json", "1")
        archive.writestr("tree.json", "2")
    return buffer.getvalue()


def _encrypted_flag(data: bytes) -> bytes:
    """``data`` (a zip) with every member marked encrypted, in its local and central headers / 把每个成员标记为加密"""
    raw = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := raw.find(signature, start)) != -1:
            raw[start + offset] |= 0x1
            start += 4
    return bytes(raw)


VALID = plain_data.encode({"w": np.arange(3.0), "n": 2})
# Bytes a kernel could send instead of an observation, each refused cleanly / 内核可能发送的各种字节，都应被干净地拒绝
REFUSED = {
    "not_zip": b"not a zip file",
    "pickled_object_array": _zip({"tree.json": b'{"a": 0}', "0.npy": _npy(np.array([{"x": 1}], dtype=object), allow_pickle=True)}),
    "missing_array": _zip({"tree.json": b'{"a": 0}'}),
    "untagged_dict": _zip({"tree.json": b'{"x": 1}'}),
    "deep_json": _zip({"tree.json": b"[" * 100_000 + b"]" * 100_000}),
    "zip_bomb": _zip({"tree.json": b'{"a": 0}', "0.npy": b"\0" * 2_000_000}, zipfile.ZIP_DEFLATED),
    "int_key": _zip({"tree.json": b'{"d": [[1, 2]]}'}),
    "huge_integer": _zip({"tree.json": b'{"d": [["value", 1' + b"0" * 4000 + b"]]}"}),
    "integer_beyond_64_bits": _zip({"tree.json": str(2**70).encode()}),
    "encrypted_flag": _encrypted_flag(VALID),
    "deflated_member": _zip({"tree.json": b"1"}, zipfile.ZIP_DEFLATED),
    "huge_declared_shape": _zip({"tree.json": b'{"a": 0}', "0.npy": _npy_header("<f8", (10**6, 10**6, 10**6)) + b"\0" * 64}),
    "shape_larger_than_data": _zip({"tree.json": b'{"a": 0}', "0.npy": _npy_header("<f8", (1000,)) + b"\0" * 8}),
    "negative_shape": _zip({"tree.json": b'{"a": 0}', "0.npy": _npy_header("<f8", (-1,)) + b"\0" * 8}),
    "string_array": _zip({"tree.json": b'{"a": 0}', "0.npy": _npy(np.array(["a"]))}),
    "structured_array": _zip({"tree.json": b'{"a": 0}', "0.npy": _npy(np.zeros(2, dtype=[("x", "<f8")]))}),
    "unexpected_member": _zip({"tree.json": b"1", "notes.txt": b"hello"}),
    "duplicate_tree": _zip_duplicate(),
    "too_many_values": _zip({"tree.json": b"[" + b"0," * 1_100_000 + b"0]"}),
}


@pytest.mark.parametrize("data", list(REFUSED.values()), ids=list(REFUSED))
def test_bytes_that_are_not_plain_data_are_refused(data):
    """Pickles, bombs, huge numbers, odd zip flags, lying .npy headers: PlainDataError, never anything else / 不合规的字节一律以 PlainDataError 拒绝"""
    with pytest.raises(plain_data.PlainDataError):
        plain_data.decode(data, max_bytes=4_000_000)


def test_a_huge_declared_array_is_refused_before_anything_is_allocated():
    """A header declaring 8 exabytes costs nothing: the sizes are checked first / 声明巨大形状的数组在分配内存之前就被拒绝"""
    tracemalloc.start()
    try:
        with pytest.raises(plain_data.PlainDataError):
            plain_data.decode(REFUSED["huge_declared_shape"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**20, peak


def _decodes_or_refuses(data: bytes) -> None:
    try:
        plain_data.decode(data, max_bytes=1_000_000)
    except plain_data.PlainDataError:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_fuzz_random_bytes(data):
    """Random bytes decode or are refused, never raise anything else / 随机字节要么解码要么被拒绝"""
    _decodes_or_refuses(data)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), min_size=1, max_size=8), st.integers(0, len(VALID)))
def test_fuzz_mutated_encodings(changes, cut):
    """A valid encoding with bytes changed and its end cut: decoded or refused, never anything else / 修改字节、截断后的合法编码"""
    raw = bytearray(VALID)
    for position, value in changes:
        raw[position] = value
    _decodes_or_refuses(bytes(raw[: max(cut, 1)]))


DTYPES = st.sampled_from(["<f8", ">f4", "|b1", "<i8", "<u2", "|O", "<U3", "<c16", "V8", "<f8x", "", "|S0"])


@settings(max_examples=300, deadline=None)
@given(DTYPES, st.lists(st.integers(-3, 10**12), max_size=5), st.booleans(), st.binary(max_size=256))
def test_fuzz_npy_headers(descr, shape, fortran, body):
    """.npy members with any dtype, shape and body: decoded only when they are what they claim / 任意头部的 .npy 成员"""
    member = _npy_header(descr, shape, fortran) + body
    _decodes_or_refuses(_zip({"tree.json": b'{"a": 0}', "0.npy": member}))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["a", "d", "x"]), inner, max_size=3)
    | st.lists(st.lists(inner, max_size=3), max_size=3).map(lambda pairs: {"d": pairs}),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(JSON)
def test_fuzz_json_trees(tree):
    """Any JSON tree: decoded when it is plain data, refused otherwise, never anything else / 任意 JSON 树"""
    _decodes_or_refuses(_zip({"tree.json": json.dumps(tree).encode()}))


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
def test_forbidden_calls_are_real_and_checked_where_learners_see_them(lesson):
    """Each name an exercise may not call exists (a typo would watch nothing) and the released test cells check it too
    每个禁止调用的名称都真实存在（拼错就什么也监视不到），发布版的测试单元格也检查它"""
    forbidden = getattr(load_observers(observers_path(LAYOUT, lesson)), "FORBIDDEN", {})
    release = read(LAYOUT.release_notebook(lesson))
    for grade_id, names in forbidden.items():
        assert grade_id in LESSONS[lesson].exercises, grade_id
        with calls_to(*names):  # resolves every name, or raises / 逐个解析名称，否则报错
            pass
        visible = "".join(c.source for c in release.cells if is_test(c) and exercise_of(nbgrader_meta(c)["grade_id"]) == grade_id)
        assert all(name in visible for name in names), (grade_id, [n for n in names if n not in visible])


@pytest.mark.parametrize("lesson", list(LESSONS), ids=str)
def test_observers_stay_with_the_instructor(lesson):
    """observers.py is never released to learners / observers.py 不会发布给学生"""
    assert observers_path(LAYOUT, lesson).is_file()
    assert not (NOTEBOOKS / lesson / OBSERVERS_FILE).exists()


def test_the_grader_imports_observers_without_torch():
    """The grader's process imports the observers with numpy and the standard library only / 评阅进程导入观察函数时不导入 torch"""
    code = (
        "import sys\nfrom course.grading.judging import load_observers, observers_path\nfrom course.layout import CourseLayout\n"
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


def _text(value) -> str:
    """What an observing cell shows for ``value`` / 观察单元格为该值显示的文本"""
    return base64.b64encode(plain_data.encode(value)).decode("ascii")


def _judge_with_reference(reference, forbidden=()) -> Judge:
    judge = Judge("01_x", ("ex01_a",), "", {"ex01_a": _text({})}, {"ex01_a": (1e-7, 0.0)}, {"ex01_a": tuple(forbidden)})
    return judge.with_reference({"ex01_a": _text({"value": reference})})


def test_verdicts_say_why_an_answer_is_not_confirmed():
    """Missing, unreadable, raising, forbidden, unencodable and differing observations are not confirmed; a match is / 各种情况的结论"""
    judge = _judge_with_reference([1.0, 2.0], forbidden=["torch.gather"])
    cases = {
        "missing": (None, NOT_OBSERVED),
        "malformed": ("", "not plain data"),
        "not_base64": ("garbage!", "not plain data"),
        "garbage": (base64.b64encode(b"garbage").decode(), "not plain data"),
        "raised": (_text({"raised": "ZeroDivisionError"}), "raised ZeroDivisionError"),
        "forbidden": (_text({"forbidden": "torch.gather"}), "called torch.gather"),
        "unencodable": (_text({"unencodable": True}), "not plain data"),
        "other_key": (_text({"value": [1.0, 2.0], "extra": 1}), "not plain data"),
        "differs": (_text({"value": [1.0, 2.5]}), "differs"),
    }
    for name, (text, says) in cases.items():
        assert says in judge.verdicts({"ex01_a": text})["ex01_a"], name
    assert judge.verdicts({"ex01_a": _text({"value": [1.0, 2.0]})}) == {"ex01_a": None}


def test_verdicts_quote_nothing_the_kernel_sent():
    """An exception name or a forbidden call the kernel made up is not repeated: every message is the grader's / 结论不引用内核发送的文字"""
    judge = _judge_with_reference(1.0, forbidden=["torch.gather"])
    for outcome in ({"raised": "<script>alert(1)</script>"}, {"raised": "BEGIN_HIDDEN_TESTS_x_hidden"},
                    {"forbidden": "<img src=x onerror=alert(1)>"}, {"unencodable": "<script>"}):  # fmt: skip
        verdict = judge.verdicts({"ex01_a": _text(outcome)})["ex01_a"]
        assert "<" not in verdict and "hidden" not in verdict.lower(), verdict
    assert python_exception_name("IndexError") == "IndexError" and python_exception_name("print") == OTHER_EXCEPTION


def test_an_observation_is_exactly_one_output_of_its_cell():
    """An observing cell's observation is its one output of the observation type; none is None, two or a huge one is malformed
    观察单元格的观察结果是其唯一一个该类型的输出：没有为 None，两个或过大为格式错误"""
    def shown(*texts):
        return {"outputs": [nbformat.v4.new_output("display_data", data={OBSERVATION: t}) for t in texts]}

    assert Judge.observation(shown("abc")) == "abc"
    assert Judge.observation(shown()) is None
    assert Judge.observation(shown("abc", "abc")) == ""
    assert Judge.observation(shown("A" * (MAX_OBSERVATION_TEXT + 4))) == ""
    assert Judge.grade_id_of(nbformat.v4.new_code_cell("", id="course-judge-ex01_fit")) == "ex01_fit"
    assert Judge.grade_id_of(nbformat.v4.new_code_cell("", id="course-judge")) is None


def test_the_kernel_gets_the_observe_functions_only():
    """What a kernel receives of observers.py: the observe functions and what they use; no input generator, tolerance,
    forbidden list or comment, and it runs / 内核只收到观察函数及其依赖，没有输入生成器、容差或注释，并且可以运行"""
    for lesson in LESSONS:
        path = observers_path(LAYOUT, lesson)
        sent = observer_source(path, LESSONS[lesson].exercises)
        assert "def inputs_" not in sent and "TOLERANCES" not in sent and "FORBIDDEN" not in sent and "#" not in sent, lesson
        namespace = {}
        exec(compile(sent, str(path), "exec"), namespace)
        assert {f"observe_{g}" for g in LESSONS[lesson].exercises} <= set(namespace), lesson
    one = observer_source(observers_path(LAYOUT, "01_numpy_gradient_descent"), ["ex01_loss"])
    assert "def observe_ex01_loss" in one and "def observe_ex01_fit" not in one


def test_each_observing_cell_carries_its_own_inputs_only():
    """The inputs of an exercise reach the kernel with its observing cell, and no other cell holds them / 练习的输入只随其观察单元格到达"""
    lesson = LESSONS["01_numpy_gradient_descent"]
    judge = Judge.draw(LAYOUT, lesson.name, list(lesson.exercises), 7)
    cells = judge.cells()
    for grade_id, text in judge.inputs.items():
        holding = [c.id for c in cells if text in c.source]
        assert holding == [f"course-judge-{grade_id}"], grade_id


def test_a_reference_that_fails_its_observer_stops_grading():
    """If the solution itself raises in its observer, no learner is judged against it / 参考答案的观察函数出错时停止评阅"""
    judge = Judge("01_x", ("ex01_a",), "", {"ex01_a": _text({})})
    with pytest.raises(JudgingError):
        judge.with_reference({"ex01_a": _text({"raised": "NameError"})})
    with pytest.raises(JudgingError):
        judge.with_reference({})


def test_unconfirmed_exercises_score_nothing_in_any_test_cell():
    """confirm() zeroes an unconfirmed exercise in its row and each of its test cells' scores, which the gradebook records
    未确认的练习在其结果行与每个测试单元格的分数中都记 0 分（成绩库记录的就是这些分数）"""
    lesson = LESSONS["01_numpy_gradient_descent"]
    rows = [ExerciseResult(g, Status.OK, lesson.max_score(g), lesson.max_score(g), cell_scores={t: lesson.points[t] for t in tests})
            for g, tests in lesson.exercises.items()]  # fmt: skip
    verdicts = dict.fromkeys(lesson.exercises, None) | {"ex01_fit": "differs / 不同"}
    judged = confirm(SubmissionResult(lesson.name, rows, {}), verdicts)
    by_id = {r.grade_id: r for r in judged.rows}
    fit = by_id["ex01_fit"]
    assert (fit.score, fit.status, fit.message, fit.confirmed, fit.verdict) == (0, Status.FAILED, "differs / 不同", False, "differs / 不同")
    assert fit.cell_scores == dict.fromkeys(lesson.exercises["ex01_fit"], 0.0)
    assert all(r.score == lesson.max_score(g) and r.confirmed for g, r in by_id.items() if g != "ex01_fit")


def test_the_same_data_encodes_to_the_same_bytes_at_any_time(monkeypatch):
    """plain_data.encode is a function of the value only: a clock a minute later gives the same bytes / 编码只取决于值"""
    import time

    value = {"w": np.arange(4.0), "losses": [1.0, 0.5]}
    first = plain_data.encode(value)
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    assert plain_data.encode(value) == first
