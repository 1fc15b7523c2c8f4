"""Lessons use TERMINOLOGY.md's Chinese term wherever their English twin uses the English term.
英文单元格使用某个术语时，对应的中文单元格使用 TERMINOLOGY.md 中的中文术语。"""

import re

import pytest
from lesson_cells import ROOT, SOLUTIONS, lesson_notebooks, read

ROW = re.compile(r"^\|\s*(?P<en>[^|]+?)\s*\|\s*(?P<zh>[^|]+?)\s*\|\s*(?P<definition>[^|]+?)\s*\|$")


def glossary() -> dict[str, str]:
    rows = [ROW.match(line) for line in (ROOT / "TERMINOLOGY.md").read_text(encoding="utf-8").splitlines()]
    terms = {m["en"]: m["zh"] for m in rows if m and m["en"] not in ("English", "---")}
    return terms


def uses(text: str, english: str) -> bool:
    """The term as a word, plural allowed, outside code spans / 作为单词出现（可为复数），不计代码片段"""
    prose = re.sub(r"`[^`]*`", "", text)
    return re.search(rf"(?<![\w-]){re.escape(english)}(e?s)?(?![\w-])", prose, re.IGNORECASE) is not None


def test_glossary_rows_are_complete():
    """Every row has a term, its Chinese term and a bilingual definition / 每行都有术语、中文术语与双语定义"""
    terms = glossary()
    assert len(terms) >= 20
    for english in ("gradient", "leaf tensor", "in-place operation", "computational graph"):
        assert english in terms
    assert terms["leaf tensor"] == "叶子张量" and terms["in-place operation"] == "原地操作" and terms["computational graph"] == "计算图"


def term_problems(cells, terms: dict[str, str]) -> list[str]:
    """en/zh pairs where the en cell uses a term and the zh cell lacks its Chinese / 缺少中文术语的 en/zh 单元格对"""
    problems = []
    for english_cell, chinese_cell in zip(cells, cells[1:], strict=False):
        if "en" in english_cell.metadata.get("tags", []) and "zh" in chinese_cell.metadata.get("tags", []):
            for english, chinese in terms.items():
                if uses(english_cell.source, english) and chinese not in chinese_cell.source:
                    problems.append(f"{english_cell.get('id', '?')}: '{english}' but no '{chinese}'")
    return problems


@pytest.mark.parametrize("notebook", lesson_notebooks(SOLUTIONS), ids=lambda p: p.stem)
def test_chinese_cells_use_the_glossary_terms(notebook):
    """Where an en cell uses a term, its zh twin uses the glossary's Chinese / en 单元格用到术语时，zh 单元格使用术语表中的中文"""
    problems = term_problems(read(notebook).cells, glossary())
    assert not problems, "\n".join(problems)


def test_the_check_catches_a_wrong_translation():
    """A zh cell translating 'leaf tensor' differently is reported; code spans do not count / 其他译法会被报告；代码片段不计"""
    import nbformat

    def pair(english, chinese):
        cells = [nbformat.v4.new_markdown_cell(english), nbformat.v4.new_markdown_cell(chinese)]
        cells[0].metadata["tags"], cells[1].metadata["tags"] = ["en"], ["zh"]
        return cells

    terms = {"leaf tensor": "叶子张量"}
    assert term_problems(pair("A leaf tensor keeps its grad.", "叶张量会保留梯度。"), terms)
    assert not term_problems(pair("A leaf tensor keeps its grad.", "叶子张量会保留梯度。"), terms)
    assert not term_problems(pair("Call `leaf tensor` in code.", "调用代码。"), terms)
