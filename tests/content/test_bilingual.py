"""Every lesson is bilingual: Markdown cells come as en/zh twins, and comments and test messages carry both.
每一课都是双语的：Markdown 单元格成对出现（en 后接 zh），注释和测试信息也使用两种语言。"""

import ast
import re

import nbformat
import pytest
from lesson_cells import NOTEBOOKS, SOLUTIONS, grading_cells, lesson_notebooks, nbgrader_meta, read

CJK = re.compile(r"[\u3400-\u9fff]")
HEADING = re.compile(r"^(#{1,6})\s")
ALL_NOTEBOOKS = lesson_notebooks(SOLUTIONS) + lesson_notebooks(NOTEBOOKS)


def heading_levels(source: str) -> list[int]:
    return [len(m[1]) for m in map(HEADING.match, source.splitlines()) if m]


def pairing_problems(nb) -> list[str]:
    """Markdown cells that are not an `en` cell directly followed by its `zh` twin."""
    problems = []
    cells = nb.cells
    i = 0
    while i < len(cells):
        cell = cells[i]
        if cell.cell_type != "markdown" or nbgrader_meta(cell).get("solution"):
            # A written answer is the learner's, in either language / 书面答案由学生用任一语言写成
            i += 1
            continue
        tags = set(cell.metadata.get("tags", []))
        where = f"cell {i} ({cell.get('id', '?')})"
        if tags & {"en", "zh"} == {"zh"}:
            problems.append(f"{where}: a zh cell without an en cell before it / zh 单元格前没有对应的 en 单元格")
            i += 1
            continue
        if tags & {"en", "zh"} != {"en"}:
            problems.append(f"{where}: Markdown cell tagged neither en nor zh / Markdown 单元格既没有 en 也没有 zh 标签")
            i += 1
            continue
        twin = cells[i + 1] if i + 1 < len(cells) else None
        if twin is None or twin.cell_type != "markdown" or set(twin.metadata.get("tags", [])) & {"en", "zh"} != {"zh"}:
            problems.append(f"{where}: en cell without its zh twin right after it / en 单元格后面没有紧跟的 zh 单元格")
            i += 1
            continue
        if CJK.search(cell.source):
            problems.append(f"{where}: the en cell contains Chinese / en 单元格中含有中文")
        if not CJK.search(twin.source):
            problems.append(f"cell {i + 1} ({twin.get('id', '?')}): the zh cell has no Chinese / zh 单元格中没有中文")
        if heading_levels(cell.source) != heading_levels(twin.source):
            problems.append(f"{where}: en and zh headings differ in level or number / en 与 zh 的标题级别或数量不同")
        i += 2
    return problems


def comment_problems(nb) -> list[str]:
    """Code comments without Chinese (nbgrader's markers excepted)."""
    problems = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            comment = line.strip()
            if not comment.startswith("#") or comment.startswith("###") or comment.startswith("#!"):
                continue
            if not CJK.search(comment):
                problems.append(f"{cell.get('id', '?')}: {comment}")
    return problems


def message_problems(nb) -> list[str]:
    """Assertions in test cells whose message is missing or not bilingual; docstrings that are not."""
    problems = []
    for grade_id, cell in grading_cells(nb).items():
        tree = ast.parse(cell.source)
        doc = ast.get_docstring(tree)
        if not doc or not CJK.search(doc) or " / " not in doc:
            problems.append(f"{grade_id}: the cell must start with a bilingual one-line docstring / 必须以双语的单行文档字符串开头")
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert):
                text = ast.unparse(node.msg) if node.msg is not None else ""
                if not CJK.search(text) or " / " not in text:
                    problems.append(f"{grade_id} line {node.lineno}: assert without a bilingual message / assert 缺少双语信息")
    return problems


@pytest.mark.parametrize("notebook", ALL_NOTEBOOKS, ids=lambda p: f"{p.parents[1].name}/{p.stem}")
def test_markdown_cells_are_en_zh_twins(notebook):
    """Every Markdown cell is an en cell followed by its zh twin / 每个 Markdown 单元格都是 en 后接 zh 的一对"""
    problems = pairing_problems(read(notebook))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("notebook", lesson_notebooks(SOLUTIONS), ids=lambda p: p.stem)
def test_code_comments_are_bilingual(notebook):
    """Comments read `# English / 中文` / 注释写成 `# English / 中文`"""
    problems = comment_problems(read(notebook))
    assert not problems, "comments without Chinese / 缺少中文的注释:\n" + "\n".join(problems)


@pytest.mark.parametrize("notebook", lesson_notebooks(SOLUTIONS), ids=lambda p: p.stem)
def test_test_messages_are_bilingual(notebook):
    """Test cells explain failures in both languages / 测试单元格用两种语言解释失败原因"""
    problems = message_problems(read(notebook))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("notebook", lesson_notebooks(SOLUTIONS), ids=lambda p: p.stem)
def test_exercise_prompts_are_bilingual(notebook):
    """Each exercise's answer cell has a bilingual docstring / 每个练习的答题单元格都有双语文档字符串

    A written answer (Markdown) has its bilingual prompt in the en/zh pair before it / 书面答案的双语提示在它之前的 en/zh 单元格中"""
    for cell in read(notebook).cells:
        if nbgrader_meta(cell).get("solution") and cell.cell_type == "code":
            docs = [ast.get_docstring(n) for n in ast.parse(cell.source).body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
            if not docs:  # a cell that fills in data: its first comment is the prompt / 填写数据的单元格：第一行注释就是提示
                docs = [line for line in cell.source.splitlines() if line.startswith("# ")][:1]
            assert docs and all(d and CJK.search(d) and " / " in d for d in docs), f"{cell.id}: prompt not bilingual / 提示不是双语的"


# The checkers themselves must catch what they are for / 检查器本身必须能发现问题
def md(source, *tags):
    cell = nbformat.v4.new_markdown_cell(source)
    cell.metadata["tags"] = list(tags)
    return cell


def notebook_of(*cells):
    return nbformat.v4.new_notebook(cells=list(cells))


def test_pairing_check_accepts_a_proper_pair():
    """A correct en/zh pair passes / 正确的 en/zh 成对单元格可以通过"""
    assert pairing_problems(notebook_of(md("## 1. Data", "en"), md("## 1. 数据", "zh"))) == []


@pytest.mark.parametrize(
    "cells",
    [
        [md("## 1. Data", "en")],  # twin missing / 缺少中文单元格
        [md("## 1. 数据", "zh")],  # orphan zh / 孤立的中文单元格
        [md("## 1. Data")],  # untagged / 没有标签
        [md("## 1. Data", "en"), md("## 1. Data again", "zh")],  # zh without Chinese / 中文单元格没有中文
        [md("## 1. Data", "en"), md("### 1. 数据", "zh")],  # heading level differs / 标题级别不同
        [md("## 1. Data", "en"), nbformat.v4.new_code_cell("x = 1"), md("## 1. 数据", "zh")],  # not adjacent / 不相邻
    ],
    ids=["missing-zh", "orphan-zh", "untagged", "zh-not-chinese", "heading-level", "not-adjacent"],
)
def test_pairing_check_rejects_broken_pairs(cells):
    """Each broken pairing is reported / 每种错误的配对都会被报告"""
    assert pairing_problems(notebook_of(*cells))


def test_comment_and_message_checks_catch_english_only_text():
    """English-only comments and assertion messages are reported / 只有英文的注释和断言信息会被报告"""
    cell = nbformat.v4.new_code_cell('"""checks x / 检查 x"""\n# English only\nassert x == 1, "wrong"')
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "ex_test", "points": 1}
    nb = notebook_of(cell)
    assert len(comment_problems(nb)) == 1
    assert len(message_problems(nb)) == 1
