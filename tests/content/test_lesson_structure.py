"""Each lesson follows the course's shape: set-up first, the agreed exercises, stored outputs, Summary at the end.
每一课都遵循课程的结构：先做准备，练习名称与约定一致，保存了输出，最后是小结。"""

import ast
import re

import pytest
from lesson_cells import (
    LAYOUT,
    NOTEBOOKS,
    SOLUTIONS,
    answer_cells,
    grading_cells,
    lesson_notebooks,
    nbgrader_meta,
    read,
    setup_cell,
)

from course.authoring.execute import RAISES_TAG
from course.layout import LESSON_NAME
from course.notebook.cells import exercise_of

# The graded exercises each lesson must have, and what each answer cell defines.
# 每课必须包含的评分练习，以及每个答题单元格定义的名称。
EXERCISES = {
    "01_numpy_gradient_descent": {
        "ex01_predict": "predict",
        "ex01_loss": "sum_squared_error",
        "ex01_gradients": "gradients",
        "ex01_fit": "fit",
        "ex01_best_cubic": "best_cubic",
        "ex01_stable_lr": "max_stable_lr",
    },
    "02_tensors_and_cuda": {
        "ex02_fit_tensor": "fit_tensor",
        "ex02_gather": "gather_loops",
        "ex02_shares_storage": "shares_storage",
        "ex02_default_dtype": "default_dtype",
    },
    "03_autograd": {
        "ex03_fit_autograd": "fit_autograd",
        "ex03_derivative": "derivative",
        "ex03_second_derivative": "second_derivative",
    },
    "04_inplace_and_leaf_errors": {
        "ex04_predict_errors": "predictions",
        "ex04_sgd_step": "sgd_step_",
        "ex04_softmax": "softmax",
    },
    "05_custom_autograd_functions": {
        "ex05_legendre": "LegendrePolynomial3",
        "ex05_fit_legendre": "fit_legendre",
        "ex05_exp": "ExpFunction",
        "ex05_softplus": "SoftplusFunction",
        "ex05_mul": "MulFunction",
    },
    "06_nn_modules": {
        "ex06_features": "polynomial_features",
        "ex06_model": "make_model",
        "ex06_train": "train_nn",
        "ex06_coefficients": "cubic_coefficients",
    },
    "07_optimizers": {
        "ex07_sgd": "SGD",
        "ex07_rmsprop_update": "rmsprop_update",
        "ex07_fit_optim": "fit_with_optimizer",
    },
    "08_custom_modules": {
        "ex08_polynomial": "Polynomial3",
        "ex08_dynamic_net": "DynamicNet",
        "ex08_fix_training_loop": "train_fixed",
    },
}
SOLUTION_NOTEBOOKS = lesson_notebooks(SOLUTIONS)
by_lesson = pytest.mark.parametrize("notebook", SOLUTION_NOTEBOOKS, ids=lambda p: p.stem)


def test_every_lesson_is_known():
    """The lessons on disk are the lessons this test knows / 磁盘上的课程与本测试记录的一致"""
    names = [p.stem for p in SOLUTION_NOTEBOOKS]
    assert all(LESSON_NAME.match(n) for n in names), names
    assert names == sorted(EXERCISES), names


def defined_names(source: str) -> list[str]:
    """Functions, classes and variables a cell defines at top level."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names.extend(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


@by_lesson
def test_graded_cells_have_the_agreed_names(notebook):
    """Answer cells are the agreed grade_ids and define the agreed names / 答题单元格的 grade_id 与定义的名称符合约定"""
    nb = read(notebook)
    answers = answer_cells(nb)
    expected = EXERCISES[notebook.stem]
    assert list(answers) == list(expected)
    for grade_id, cell in answers.items():
        defined = defined_names(cell.source)
        assert sorted(set(defined)) == [expected[grade_id]], f"{grade_id} defines {defined}"
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
    for grade_id in grading_cells(nb):
        owner = exercise_of(grade_id)
        assert owner in answers and owner != grade_id, f"{grade_id} belongs to no exercise / 不属于任何练习"


@by_lesson
def test_every_exercise_has_visible_and_hidden_tests(notebook):
    """Each exercise is tested by a visible check and by hidden tests / 每个练习既有可见测试也有隐藏测试"""
    nb = read(notebook)
    for grade_id in answer_cells(nb):
        sources = [c.source for g, c in grading_cells(nb).items() if re.fullmatch(rf"{grade_id}_test(_\d+)?", g)]
        assert sources, f"{grade_id} has no test cell / 没有测试单元格"
        visible = [s.split("### BEGIN HIDDEN TESTS")[0] for s in sources]
        assert any(re.search(r"\bassert", v) for v in visible), f"{grade_id} has no visible test / 没有可见测试"
        assert any("### BEGIN HIDDEN TESTS" in s and "### END HIDDEN TESTS" in s for s in sources), grade_id


@by_lesson
def test_first_code_cell_sets_up(notebook):
    """The first code cell imports and seeds / 第一个代码单元格负责导入与设置随机种子"""
    source = setup_cell(read(notebook)).source
    assert "import" in source and "seed_everything(" in source


@by_lesson
def test_lesson_ends_with_summary_and_extra_exercises(notebook):
    """The last Markdown pair holds the Summary / 小结 and the extra exercises / 最后一对 Markdown 是小结与拓展练习"""
    markdown = [c.source for c in read(notebook).cells if c.cell_type == "markdown"]
    english, chinese = markdown[-2], markdown[-1]
    assert "## Summary" in english and "Extra exercises" in english
    assert "## 小结" in chinese and "拓展练习" in chinese


@by_lesson
def test_outputs_are_stored_in_order_without_errors(notebook):
    """Solutions were executed top to bottom, with errors only where tagged / 答案笔记本已从头到尾执行，只有带标签的单元格报错"""
    code = [c for c in read(notebook).cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), "run `course execute` / 请运行 `course execute`"
    for cell in code:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        tagged = RAISES_TAG in cell.metadata.get("tags", [])
        assert bool(errors) == tagged, f"{cell.id}: error output {'missing' if tagged else 'unexpected'}"
        stderr = "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr")
        assert "Glyph" not in stderr, f"{cell.id}: missing-glyph warning / 缺字警告"
        if nbgrader_meta(cell).get("grade"):
            # nbgrader gives 0 to a test cell with any stderr / nbgrader 对有 stderr 输出的测试单元格给 0 分
            assert not cell.outputs, f"{cell.id}: a test cell printed something / 测试单元格有输出"


# An absolute path of the machine that ran a notebook: system folders, home folders, a venv, a Windows drive
# 运行笔记本的机器上的绝对路径：系统目录、家目录、虚拟环境、Windows 盘符
MACHINE_PATH = re.compile(
    r"(?<![\w.])/(?:tmp|work|root|home|usr|opt|srv|var|mnt|Users|private)/|\.venv\b|site-packages/|\b[A-Z]:\\\w"
)


def stored_output_texts(cell):
    for output in cell.get("outputs", []):
        for key in ("text", "evalue"):
            yield "".join(output.get(key, ""))
        yield from output.get("traceback", [])
        yield from ("".join(v) for mime, v in output.get("data", {}).items() if mime.startswith("text/"))


@pytest.mark.parametrize("notebook", SOLUTION_NOTEBOOKS + lesson_notebooks(NOTEBOOKS), ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_no_machine_path_in_stored_outputs(notebook):
    """No stored output shows a path of the machine that ran it / 存储的输出中没有运行它的机器上的路径"""
    leaks = [
        (cell.get("id"), match.group(0), text[max(0, match.start() - 40) : match.end() + 40])
        for cell in read(notebook).cells
        for text in stored_output_texts(cell)
        for match in MACHINE_PATH.finditer(text)
    ]
    assert not leaks, f"run `course execute`, which sanitizes outputs / 请运行 `course execute`: {leaks[:5]}"


def test_machine_path_pattern_finds_what_it_must():
    """The leak pattern catches real paths and spares ordinary text / 泄漏模式能识别真实路径，且不误伤普通文本"""
    leaks = ["/tmp/ipykernel_1/2.py:7", "File /work/main/.venv/lib/x.py", "/home/ann/course", "C:\\Users\\ann",
             "/root/.pyenv/versions/3.11.7/lib/python3.11/runpy.py", "/usr/lib/python3.11/site-packages/torch"]
    clean = ["SITE_PACKAGES/torch/_tensor.py:623", "IPYKERNEL_CELL:7", "a/b = 0.5", "notebooks/01/01.ipynb", "x/usr/y"]
    assert all(MACHINE_PATH.search(text) for text in leaks)
    assert not any(MACHINE_PATH.search(text) for text in clean)


def test_the_answer_key_is_out_of_reach_before_the_reveal():
    """Lesson 04's learner notebook imports nothing that runs the snippets before the reveal cell
    第 04 课学生版在揭晓单元格之前不导入任何能运行这些片段的代码"""
    from helpers import autograd_errors

    nb = read(LAYOUT.release_notebook("04_inplace_and_leaf_errors"))
    ids = [c.id for c in nb.cells]
    before = nb.cells[: ids.index("predict_check")]
    assert any(nbgrader_meta(c).get("grade_id") == "ex04_predict_errors" for c in before)
    key = {"autograd_errors", *(name for name in vars(autograd_errors) if not name.startswith("_"))} - {"torch", "warnings"}
    leaks = [(c.id, name) for c in before if c.cell_type == "code" for name in key if re.search(rf"\b{name}\b", c.source)]
    assert not leaks, leaks
    assert "outcome_of" in nb.cells[ids.index("predict_check")].source


def test_snippet_fingerprint_matches_the_locked_cell():
    """Lesson 04's hidden test pins SNIPPETS by a hash; it matches the locked cell / 第 04 课隐藏测试中的哈希与锁定单元格一致"""
    import hashlib

    nb = read(LAYOUT.source_notebook("04_inplace_and_leaf_errors"))
    locked = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "snippets")
    assert nbgrader_meta(locked).get("locked"), "the SNIPPETS cell must be locked / SNIPPETS 单元格必须锁定"
    namespace = {}
    exec(locked.source.split("\nfor label")[0], namespace)
    fingerprint = hashlib.sha256(repr(sorted(namespace["SNIPPETS"].items())).encode()).hexdigest()
    assert fingerprint in grading_cells(nb)["ex04_predict_errors_test"].source
    assert len(namespace["SNIPPETS"]) >= 6
