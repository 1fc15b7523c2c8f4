"""A lesson as the grader knows it: its source notebook, exercises and points; a notebook recognised by its exercises.
评阅程序眼中的一课：源笔记本、练习与分值；按练习识别笔记本属于哪一课。
"""

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.notebook.cells import exercise_of, is_answer, is_manual, is_test, nbgrader_meta


@dataclass
class Lesson:
    """A lesson's source notebook and its graded exercises / 一课的源笔记本及其评分练习。"""

    name: str
    source: nbformat.NotebookNode
    exercises: dict[str, list[str]] = field(default_factory=dict)  # answer id → its test cell ids
    points: dict[str, float] = field(default_factory=dict)  # test cell id → points
    manual: dict[str, float] = field(default_factory=dict)  # answer graded by hand → its points / 人工评分的答案 → 分值

    @classmethod
    def from_notebook(cls, name: str, path: Path) -> "Lesson":
        source = read_course_notebook(path)
        lesson = cls(name=name, source=source)
        for cell in source.cells:
            if is_answer(cell):
                lesson.exercises[nbgrader_meta(cell)["grade_id"]] = []
        for cell in source.cells:
            if is_test(cell):
                grade_id = nbgrader_meta(cell)["grade_id"]
                lesson.exercises.setdefault(exercise_of(grade_id), []).append(grade_id)
                lesson.points[grade_id] = float(nbgrader_meta(cell)["points"])
            elif is_manual(cell):
                lesson.manual[nbgrader_meta(cell)["grade_id"]] = float(nbgrader_meta(cell)["points"])
        return lesson

    def max_score(self, exercise: str) -> float:
        if exercise in self.manual:
            return self.manual[exercise]
        return sum(self.points[t] for t in self.exercises[exercise])

    def max_scores(self) -> dict[str, float]:
        """{exercise: its points} in notebook order, answers graded by hand last / 各练习的分值（人工评分的答案在最后）。"""
        return {exercise: self.max_score(exercise) for exercise in [*self.exercises, *self.manual]}


def read_course_notebook(path: Path) -> nbformat.NotebookNode:
    """A notebook of the course itself (source or release), read without nbformat's schema validation:
    the course's tests validate these files, and validating them on every ``course check`` costs seconds.

    读取课程自身的笔记本（不做 nbformat 的模式校验：测试已经校验过这些文件，每次 course check 都校验要花几秒）。
    """
    return nbformat.v4.reads(Path(path).read_text(encoding="utf-8"))  # multi-line sources joined, no validation / 不校验


def exercise_ids(nb) -> set[str]:
    """The grade ids of the answer cells in ``nb``: what identifies a lesson / 笔记本中答题单元格的 grade_id，用来识别课程。"""
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    return {
        nbgrader_meta(c)["grade_id"]
        for c in cells
        if isinstance(c, dict) and isinstance(nbgrader_meta(c), dict) and is_answer(c) and isinstance(nbgrader_meta(c).get("grade_id"), str)
    }


def recognise_lesson(nb, lessons: dict[str, "Lesson"]) -> str | None:
    """The lesson whose exercises ``nb`` holds, whatever its file is called (JupyterLab's ``…-Copy1.ipynb``);
    None when it holds none, or as many of two lessons'.

    根据内容（答题单元格的 grade_id）识别笔记本属于哪一课，与文件名无关；无法识别时返回 None。
    """
    ids = exercise_ids(nb)
    overlap = sorted(((len(ids & set(lesson.exercises)), name) for name, lesson in lessons.items()), reverse=True)
    if not overlap or overlap[0][0] == 0 or (len(overlap) > 1 and overlap[1][0] == overlap[0][0]):
        return None
    return overlap[0][1]
