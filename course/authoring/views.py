"""``course view``: every lesson in one language, as notebooks or HTML / 每课的单语言版本（笔记本或 HTML）。

Only Markdown cells are dropped (those tagged with the other language); code cells, nbgrader
metadata and cell ids stay exactly as they are, so a one-language student notebook is done,
submitted and graded exactly like the bilingual one. HTML views of the student notebooks take the
outputs of the demo cells from the solutions (exercise and test cells stay empty), so they can be
read offline. Writing a view twice gives the same bytes.
只删除另一种语言的 Markdown 单元格；代码单元格、nbgrader 元数据和单元格 id 保持不变。
"""

import json
from pathlib import Path

from course.bilingual import LANGUAGES
from course.layout import CourseLayout

# What ``--from`` names: a folder of the course / ``--from`` 的取值：课程的目录
SOURCES = (CourseLayout.release_directory, CourseLayout.source_directory)
FORMATS = ("notebook", "html")
# nbformat, nbconvert and the grading rules are imported where used: ``course --help`` reads the two
# tuples above and must stay quick / nbformat 等在用到时才导入：``course --help`` 只读取上面两个元组，必须保持快速


def language_view(nb, lang: str):
    """A copy of ``nb`` keeping the Markdown cells of ``lang`` (all of them for ``both``) / 保留指定语言的 Markdown 单元格。"""
    import nbformat

    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r} / 语言必须是 {'、'.join(LANGUAGES)} 之一")
    view = nbformat.from_dict(json.loads(json.dumps(nb)))
    if lang != "both":
        other = "zh" if lang == "en" else "en"
        view.cells = [c for c in view.cells if not (c.cell_type == "markdown" and other in c.metadata.get("tags", []))]
        view.metadata["language"] = lang
    return view


def with_demo_outputs(student, solution):
    """Demo cells of ``student`` get the stored outputs of the same cells in ``solution`` / 示例单元格使用答案笔记本中的输出。"""
    from course.notebook.cells import nbgrader_meta

    outputs = {c.get("id"): c for c in solution.cells if c.cell_type == "code"}
    for cell in student.cells:
        twin = outputs.get(cell.get("id"))
        if cell.cell_type == "code" and twin is not None and not nbgrader_meta(cell) and cell.source == twin.source:
            cell.outputs, cell.execution_count = twin.outputs, twin.execution_count
    return student


def write_views(
    course: CourseLayout, lang: str, to: str = "notebook", source: str = CourseLayout.release_directory, out: Path | None = None
) -> list[Path]:
    """Write ``<out>/<lesson>/<lesson>.ipynb`` (or ``.html``) for every lesson; returns the files written.

    为每课写出单语言版本，返回写出的文件。
    """
    import nbformat

    if to not in FORMATS or source not in SOURCES:
        raise ValueError(f"--to must be one of {FORMATS} and --from one of {SOURCES} / --to 与 --from 的取值不对")
    out = Path(out) if out is not None else course.root / "views" / f"{source}-{lang}"
    written = []
    for lesson in course.lessons():
        nb = nbformat.read(course.lesson_file(course.root / source, lesson), as_version=4)
        view = language_view(nb, lang)
        target = course.lesson_file(out, lesson, ".ipynb" if to == "notebook" else ".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        if to == "notebook":
            nbformat.write(view, target)
        else:
            if source == course.release_directory:
                solution = nbformat.read(course.source_notebook(lesson), as_version=4)
                view = with_demo_outputs(view, solution)
            from nbconvert import HTMLExporter

            html, _ = HTMLExporter().from_notebook_node(view)
            target.write_text(html, encoding="utf-8")
        written.append(target)
    return written
