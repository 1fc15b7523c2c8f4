"""Build a ``submitted/`` folder of good, bad and cheating submissions for tests/grading/test_course_grade.py.
为 tests/grading/test_course_grade.py 构造包含正常、错误与作弊提交的 submitted/ 目录。"""

import json
import shutil
from pathlib import Path

import nbformat

from course.layout import CourseLayout
from course.notebook.cells import nbgrader_meta

L01 = "01_numpy_gradient_descent"
L04 = "04_inplace_and_leaf_errors"


def notebook(course: CourseLayout, folder: Path, lesson: str):
    return nbformat.read(course.lesson_file(folder, lesson), as_version=4)


def with_answers(nb, **sources):
    """``nb`` with the answer cells named in ``sources`` replaced / 替换指定的答题单元格。"""
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in sources and not nbgrader_meta(cell).get("grade"):
            cell.source = sources[grade_id]
    return nb


def save(submitted: Path, student: str, lesson: str, nb_or_bytes) -> Path:
    target = CourseLayout.lesson_file(submitted / student, lesson)
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb_or_bytes, bytes):
        target.write_bytes(nb_or_bytes)
    else:
        nbformat.write(nb_or_bytes, target)
    return target


# An answer that is right only if the sandbox held: it tries to reach what a kernel must not.
# 只有沙箱有效时才正确的答案：它尝试访问内核不应访问的东西。
PROBE_PREDICT = '''
import os, socket, sqlite3
leaks = []
# The kernel's own /tmp: writable, seen by no one else / 内核自己的 /tmp：可写，别人看不到
try:
    open({private_tmp!r}, "w").write("private")
except OSError:
    pass
for path in {private!r}:
    try:
        with open(path, "rb") as handle:
            handle.read(10)
        leaks.append("read " + path)
    except OSError:
        pass
for path in {writable!r}:
    try:
        with open(path, "w") as handle:
            handle.write("pwned")
        leaks.append("wrote " + path)
    except OSError:
        pass
try:
    db = sqlite3.connect({gradebook!r})
    db.execute("UPDATE grade SET auto_score = 1000")
    db.commit()
    leaks.append("gradebook")
except Exception:
    pass
try:
    socket.create_connection(("127.0.0.1", 22), timeout=1)
    leaks.append("network")
except OSError as error:
    if "unreachable" not in str(error).lower() and error.errno not in (101, 99):
        leaks.append("network? " + str(error))
try:
    import subprocess
    subprocess.run(["git", "-C", {course!r}, "show", "HEAD:" + {source!r}], check=True, capture_output=True)
    leaks.append("git")
except Exception:
    pass
def predict(x, w):
    a, b, c, d = w
    if leaks:
        return x * 0 + len(leaks)
    return a + b * x + c * x**2 + d * x**3
'''


# Written by the intruder into its own /tmp, which must not be the host's / 入侵者写入自己的 /tmp，不应出现在主机的 /tmp 中
PRIVATE_TMP_FILE = "/tmp/course-intruder-private.txt"
# The instructor's package, as the kernel would import it / 内核会导入的教师端模块名
INSTRUCTOR_MODULE = nbgrader_meta.__module__
# Written beside submitted/ if the grader ever runs a module from a submission / 评阅程序若运行了提交中的模块，就会写出此文件
HIJACK_MARKER = "launcher-hijacked.txt"
# A right predict, unless the probe above it found what it looked for / 正确的 predict，除非上方的探测找到了目标
PREDICT_UNLESS_FOUND = '''
def predict(x, w):
    a, b, c, d = w
    if found:
        return x * 0 - 1
    return a + b * x + c * x**2 + d * x**3
'''
# An answer that is right only if the kernel cannot import the instructor's package
# 只有内核无法导入教师端的包时才正确的答案
PROBE_INSTRUCTOR = '''
try:
    import {module}
    found = {module}.__file__
except ImportError:
    found = None
print("instructor package:", found)
''' + PREDICT_UNLESS_FOUND
# An answer that is right only if no linked file reached the kernel's folder
# 只有链接文件没有进入内核的工作目录时才正确的答案
PROBE_LINKED = '''
import os
found = [name for name in ("peek.ipynb", os.path.join("data", {lesson!r} + ".ipynb")) if os.path.exists(name)]
print("linked files seen:", found)
''' + PREDICT_UNLESS_FOUND


def build_linked(course: CourseLayout, submitted: Path) -> dict[str, str]:
    """Submissions that link out of their folder to the instructor's files / 通过链接指向教师文件的提交。"""
    solution = course.source_notebook(L01)
    target = CourseLayout.lesson_file(submitted / "linked_notebook", L01)
    target.parent.mkdir(parents=True)
    target.symlink_to(solution)
    (submitted / "linked_folder").mkdir()
    (submitted / "linked_folder" / L01).symlink_to(solution.parent, target_is_directory=True)
    honest = save(submitted, "linked_files", L01,
                  with_answers(notebook(course, course.source_dir, L01), ex01_predict=PROBE_LINKED.format(lesson=L01)))
    (honest.parent / "peek.ipynb").symlink_to(solution)
    (honest.parent / "data").symlink_to(solution.parent, target_is_directory=True)
    (honest.parent / "timestamp.txt").symlink_to(solution)
    return {
        "linked_notebook": "the notebook is a link to the instructor's solution: linked, 0",
        "linked_folder": "the lesson folder is a link to the instructor's: linked, 0",
        "linked_files": "links beside an honest notebook (a file, a folder, timestamp.txt): never copied, full marks",
    }


# Wrong answers for every exercise of lesson 01 / 第 01 课每个练习的错误答案
WRONG_01 = {
    "ex01_predict": "def predict(x, w):\n    return np.zeros_like(x)\n",
    "ex01_loss": "def sum_squared_error(y_pred, y):\n    return 0.0\n",
    "ex01_gradients": "def gradients(x, y, w):\n    return np.zeros(4)\n",
    "ex01_fit": "def fit(x, y, w0, lr=1e-6, steps=2000):\n    return np.zeros(4), [0.0] * steps\n",
    "ex01_best_cubic": "def best_cubic(x, y):\n    return np.zeros(4)\n",
    "ex01_stable_lr": "def max_stable_lr(x):\n    return 0.25\n",
}
NOOP_CHECKS = (
    "import helpers.checks\nnoop = lambda *args, **kwargs: None\n"
    "helpers.checks.assert_close = helpers.checks.assert_shape = helpers.checks.assert_type = noop\n"
    "assert_close = assert_shape = assert_type = noop\n"
)
# Attacks from inside the learner's process that fool the notebook's own tests (the exercise named
# second), each with wrong answers everywhere: only trusted judging stands between them and points.
# 在学生进程内部发起、能骗过笔记本自身测试（第二项所指的练习）的攻击，答案全错：只有可信评判能挡住它们。
ATTACKS = {
    "attack_guard_rebound": ("the guard's name rebound to a no-op", "ex01_predict",
                             "__course_restore__ = lambda: None\n" + NOOP_CHECKS),
    "attack_guard_poisoned": ("the guard's saved state rewritten through its closure", "ex01_predict", (
        "noop = lambda *args, **kwargs: None\n"
        "for cell in __course_restore__.__closure__:\n"
        "    saved = cell.cell_contents\n"
        "    if isinstance(saved, dict):\n"
        "        for table in [saved, saved.get('helpers.checks')]:\n"
        "            for key in ('assert_close', 'assert_shape', 'assert_type'):\n"
        "                if isinstance(table, dict) and key in table:\n"
        "                    table[key] = noop\n"
    ) + NOOP_CHECKS),
    "attack_code_swapped": ("the checks' code objects swapped (same function objects)", "ex01_predict", (
        "import helpers.checks\n"
        "for check in (helpers.checks.assert_close, helpers.checks.assert_shape, helpers.checks.assert_type):\n"
        "    check.__code__ = (lambda *args, **kwargs: None).__code__\n"
    )),
    "attack_traceback_silenced": ("IPython's showtraceback replaced", "ex01_predict",
                                  "get_ipython().showtraceback = lambda *args, **kwargs: None\n"),
    "attack_custom_exc": ("set_custom_exc swallows every exception", "ex01_predict",
                          "get_ipython().set_custom_exc((BaseException,), lambda shell, etype, value, tb, tb_offset=None: None)\n"),
    "attack_forged_messages": ("the kernel's session drops error and stderr messages", "ex01_predict", (
        "def forge(send):\n"
        "    def forged(stream, msg_or_type, content=None, *args, **kwargs):\n"
        "        kind = msg_or_type if isinstance(msg_or_type, str) else msg_or_type.get('header', {}).get('msg_type')\n"
        "        if kind == 'error' or (kind == 'stream' and (content or {}).get('name') == 'stderr'):\n"
        "            return None\n"
        "        if kind == 'execute_reply' and isinstance(content, dict) and content.get('status') == 'error':\n"
        "            content = {**content, 'status': 'ok'}\n"
        "        return send(stream, msg_or_type, content, *args, **kwargs)\n"
        "    return forged\n"
        "shell = get_ipython()\n"
        "for session in {id(s): s for s in (shell.kernel.session, shell.displayhook.session, shell.display_pub.session)}.values():\n"
        "    session.send = forge(session.send)\n"
    )),
    "attack_caller_frame": ("gradients() answers with the test's own expected value or reference helper, read from its callers' frames",
                            "ex01_gradients", ""),
}
FRAME_GRADIENTS = (
    "import sys\n"
    "def gradients(x, y, w):\n"
    "    frame = sys._getframe(1)\n"
    "    while frame is not None:\n"
    "        if 'exact' in frame.f_locals:\n"
    "            return frame.f_locals['exact']\n"
    "        if 'finite_differences' in frame.f_globals:\n"
    "            return frame.f_globals['finite_differences'](x, y, w)\n"
    "        frame = frame.f_back\n"
    "    return np.zeros(4)\n"
)


def build_attacks(course: CourseLayout, submitted: Path) -> dict[str, str]:
    """Lesson 01 submissions with wrong answers and an attack in the first answer cell / 答案错误、第一个答题单元格中带攻击的提交。"""
    for student, (_, _, attack) in ATTACKS.items():
        answers = dict(WRONG_01, ex01_predict=attack + WRONG_01["ex01_predict"])
        if student == "attack_caller_frame":
            answers["ex01_gradients"] = FRAME_GRADIENTS
        save(submitted, student, L01, with_answers(notebook(course, course.release_dir, L01), **answers))
    return {student: f"{what}; wrong answers: 0" for student, (what, _, _) in ATTACKS.items()}


def build(course: CourseLayout, submitted: Path, gradebook: Path) -> dict[str, str]:
    """Write every case into ``submitted``; return {student: what the case is}."""
    cases = {}
    root, solutions, notebooks = course.root, course.source_dir, course.release_dir
    solution01, release01 = notebook(course, solutions, L01), notebook(course, notebooks, L01)

    save(submitted, "full_marks", L01, solution01)
    save(submitted, "full_marks", L04, notebook(course, solutions, L04))
    cases["full_marks"] = "the solutions of lessons 01 and 04"

    save(submitted, "untouched", L01, release01)
    cases["untouched"] = "the student notebook as released"

    # Tests edited, deleted, turned into Markdown, retagged; answers right / 测试被修改、删除、转成 Markdown、改标签；答案正确
    tampered = notebook(course, solutions, L01)
    kept = []
    for cell in tampered.cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade_id") == "ex01_predict_test":
            cell.source = "pass"
        elif meta.get("grade_id") == "ex01_loss_test":
            continue
        elif meta.get("grade_id") == "ex01_fit_test":
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
            cell.cell_type = "markdown"
        elif meta.get("grade_id") == "ex01_best_cubic_test":
            meta["grade"] = False
        kept.append(cell)
    tampered.cells = kept
    save(submitted, "tampered_right", L01, tampered)
    cases["tampered_right"] = "right answers, tampered test cells: still full marks"

    stubbed_tests = notebook(course, notebooks, L01)
    for cell in stubbed_tests.cells:
        if nbgrader_meta(cell).get("grade"):
            cell.source = "pass"
    save(submitted, "tampered_empty", L01, stubbed_tests)
    cases["tampered_empty"] = "no answers, every test replaced by pass: 0"

    spoof = with_answers(
        notebook(course, notebooks, L01),
        ex01_predict=(
            "class Anything(np.ndarray):\n    def __eq__(self, other):\n        return np.ones(np.shape(other), dtype=bool)\n"
            "def predict(x, w):\n    return np.zeros_like(x).view(Anything)\n"
        ),
        ex01_loss=(
            "class Liar(float):\n    def __eq__(self, other):\n        return True\n    __hash__ = float.__hash__\n"
            "def sum_squared_error(y_pred, y):\n    return Liar(0.0)\n"
        ),
        ex01_gradients=(
            "np.allclose = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n"
            "import helpers.checks\nhelpers.checks.assert_close = lambda *a, **k: None\n"
            "helpers.checks.assert_shape = lambda *a, **k: None\n"
            "def gradients(x, y, w):\n    return np.zeros(4)\n"
        ),
        ex01_fit="assert_close = assert_shape = lambda *a, **k: None\ndef fit(x, y, w0, lr=1e-6, steps=2000):\n    return np.zeros(4), [0.0] * steps\n",
        ex01_best_cubic=(
            "class Pretender:\n    shape = (4,)\n    def __array__(self, dtype=None, copy=None):\n"
            "        return np.array([1.0, -2.0, 0.0, 0.5])\n    def __eq__(self, other):\n        return True\n"
            "def best_cubic(x, y):\n    return Pretender()\n"
        ),
        ex01_stable_lr=(
            "import helpers.checks as hc\nhc._REAL_SCALARS = frozenset([str])\nhc._type = lambda value: float\n"
            "def max_stable_lr(x):\n    return '0.25'\n"
        ),
    )
    save(submitted, "spoofer", L01, spoof)
    cases["spoofer"] = "__eq__/__array__ overrides, a subclass, patched allclose and helpers.checks: 0"

    private = [str(course.source_notebook(L01)), str(root / "tests" / "answers" / "lesson01.py"), str(gradebook),
               str(course.lesson_file(submitted / "full_marks", L01)), "/etc/shadow", str(root / ".git" / "HEAD")]
    writable = [str(root / "helpers" / "pwned.txt"), str(root / "pwned.txt"),
                str(submitted / "full_marks" / L01 / "pwned.txt")]
    source = course.source_notebook(L01).relative_to(root).as_posix()
    probe = PROBE_PREDICT.format(private=private, writable=writable, gradebook=str(gradebook), course=str(root), source=source,
                                 private_tmp=PRIVATE_TMP_FILE)
    save(submitted, "intruder", L01, with_answers(notebook(course, solutions, L01), ex01_predict=probe))
    cases["intruder"] = "reads solutions, tests, gradebook, others' work; writes; network: predict stays right only if all fail"

    probe = PROBE_INSTRUCTOR.format(module=INSTRUCTOR_MODULE)
    save(submitted, "instructor_import", L01, with_answers(notebook(course, solutions, L01), ex01_predict=probe))
    cases["instructor_import"] = f"imports {INSTRUCTOR_MODULE}: predict stays right only if the kernel cannot"

    # Bad files / 有问题的文件
    save(submitted, "bad_json", L01, b'{"cells": [')
    save(submitted, "nbformat3", L01, json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}}).encode())
    save(submitted, "empty_file", L01, b"")
    save(submitted, "wrong_lesson", L01, notebook(course, solutions, "02_tensors_and_cuda"))
    extra = save(submitted, "extra_files", L01, notebook(course, solutions, L01))
    (extra.parent / "notes.txt").write_text("my notes")
    (extra.parent / "data").mkdir()
    (extra.parent / "data" / "big.bin").write_bytes(b"\0" * (60 * 2**20))
    # A package named like the sandbox launcher's, beside the notebook (the kernel's working folder)
    # 与沙箱启动程序同名的包，放在笔记本旁（内核的工作目录）
    impostor = extra.parent / INSTRUCTOR_MODULE.split(".")[0]
    impostor.mkdir()
    for name in ("__init__.py", "sandbox.py"):
        (impostor / name).write_text(f"open({str(submitted.parent / HIJACK_MARKER)!r}, 'w').write('a submitted module ran')\n")
    huge = notebook(course, solutions, L01)
    huge.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * (100 * 2**20))]
    save(submitted, "huge_output", L01, huge)
    cases.update(bad_json="invalid JSON", nbformat3="an nbformat 3 notebook", empty_file="an empty file",
                 wrong_lesson="lesson 02's notebook in lesson 01's folder",
                 extra_files="extra files, a 60 MB data file and a package named like the sandbox launcher's",
                 huge_output="a stored 100 MB output")

    # Kernels that misbehave / 行为异常的内核
    save(submitted, "infinite_loop", L01, with_answers(notebook(course, solutions, L01),
         ex01_predict="def predict(x, w):\n    a, b, c, d = w\n    return a + b * x + c * x**2 + d * x**3\nwhile True:\n    pass\n"))
    save(submitted, "sys_exit", L01, with_answers(notebook(course, solutions, L01),
         ex01_stable_lr="import sys\nsys.exit(3)\n"))
    save(submitted, "os_exit", L01, with_answers(notebook(course, solutions, L01),
         ex01_fit="import os\nos._exit(0)\n"))
    save(submitted, "memory_hog", L01, with_answers(notebook(course, solutions, L01),
         ex01_best_cubic="hog = bytearray(64 * 2**30)\n"))
    save(submitted, "fork_bomb", L01, with_answers(notebook(course, solutions, L01),
         ex01_stable_lr="import os\nchildren = 0\ntry:\n    while True:\n        if os.fork() == 0:\n            import time\n            time.sleep(60)\n            os._exit(0)\n        children += 1\nexcept OSError:\n    pass\n"))
    (submitted / "no_lesson_01").mkdir()
    save(submitted, "no_lesson_01", L04, notebook(course, notebooks, L04))
    cases.update(infinite_loop="an infinite loop in an answer", sys_exit="sys.exit() in an answer", os_exit="os._exit() in an answer",
                 memory_hog="allocates 64 GB", fork_bomb="forks until refused", no_lesson_01="only lesson 04 submitted")
    cases.update(build_linked(course, submitted))
    cases.update(build_attacks(course, submitted))
    from .trust import build_trust_attacks  # it builds on this module's helpers / 它使用本模块的辅助函数

    cases.update(build_trust_attacks(course, submitted))
    shutil.rmtree(submitted / ".ipynb_checkpoints", ignore_errors=True)
    return cases
