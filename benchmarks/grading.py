"""Stock ``nbgrader autograde`` against ``course grade`` on the same 20 submissions of lesson 01.
在同样 20 份第 01 课提交上比较原生 ``nbgrader autograde`` 与 ``course grade``。

    .venv/bin/python benchmarks/grading.py [--submissions 20] [--jobs N]

Half the generated submissions are the solution, the others carry plausible wrong answers from
tests/answers/lesson01.py; every third one was submitted after the due date. The graders run in one throwaway course: stock nbgrader, then
``course grade --no-preload`` (every kernel started from scratch) and ``course grade`` (kernels forked
from a pre-imported parent). The script checks that their scores agree, then prints the wall times,
the ratios and where a submission's time went in each ``course grade`` run.
"""

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from answers.lesson01 import WRONG  # noqa: E402

from course.gradebook.deadlines import set_due  # noqa: E402
from course.layout import CourseLayout  # noqa: E402
from course.notebook.cells import nbgrader_meta  # noqa: E402

LAYOUT = CourseLayout(ROOT)
LESSON = "01_numpy_gradient_descent"
# The due date both graders apply their late penalties against / 两个评阅程序计算迟交罚分所依据的截止时间
DUE = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)


def make_submissions(submitted: Path, count: int) -> None:
    solution = nbformat.read(LAYOUT.source_notebook(LESSON), as_version=4)
    wrong = [(grade_id, source) for grade_id, answers in WRONG.items() for source in answers.values()]
    for i in range(count):
        nb = nbformat.from_dict(solution)
        if i % 2:
            grade_id, source = wrong[(i // 2) % len(wrong)]
            for cell in nb.cells:
                if nbgrader_meta(cell).get("grade_id") == grade_id:
                    cell.source = source
        target = CourseLayout.lesson_file(submitted / f"student{i:02d}", LESSON)
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)
        # Every third submission is late by 1 to 3 days / 每三份中有一份迟交 1 到 3 天
        day = 20 + (i % 3 == 0) * (1 + i % 4)
        (target.parent / "timestamp.txt").write_text(f"2026-11-{day:02d} 10:00:00.000000 UTC")


def scores_from(db_url: str) -> dict[str, tuple[float, float]]:
    """{student: (score, late penalty)} from a gradebook / 成绩库中每个学生的（得分，迟交罚分）"""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gradebook:
        return {s.student.id: (s.score, round(s.late_submission_penalty or 0.0, 9)) for s in gradebook.assignment_submissions(LESSON)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    env = CourseLayout.tools_on_path()
    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as scratch:
        course = CourseLayout(Path(scratch) / "course")
        course.root.mkdir()
        shutil.copy(LAYOUT.config_path, course.config_path)
        shutil.copytree(LAYOUT.source_dir, course.source_dir)
        shutil.copytree(LAYOUT.release_dir, course.release_dir)
        shutil.copytree(ROOT / "helpers", course.root / "helpers")
        submitted = course.root / "submitted"
        make_submissions(submitted, args.submissions)
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", LESSON, "--force"], cwd=course.root, env=env,
                       check=True, capture_output=True)

        set_due(course, course.gradebook_url, LESSON, DUE)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "nbgrader", "autograde", LESSON], cwd=course.root, env=env, check=True,
                       capture_output=True)
        stock = time.perf_counter() - started
        stock_scores = scores_from(course.gradebook_url)

        runs = {}
        for label, extra in (("course grade --no-preload", ["--no-preload"]), ("course grade", [])):
            course_db = f"sqlite:///{Path(scratch) / (label.replace(' ', '-') + '.db')}"
            set_due(course, course_db, LESSON, DUE)
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "course", "grade", str(submitted), "--jobs", str(args.jobs),
                                   "--db-url", course_db, "--autograded", str(Path(scratch) / "autograded"), *extra], cwd=course.root, env=env, check=True, capture_output=True, text=True)
            breakdown = next((line.split(" / ")[0] for line in done.stderr.splitlines() if line.startswith("seconds per submission")), "")
            runs[label] = (time.perf_counter() - started, scores_from(course_db), breakdown)

    for label, (_, scores, _) in runs.items():
        if scores != stock_scores:
            print(f"scores differ / 分数不一致:\n  nbgrader autograde: {stock_scores}\n  {label}: {scores}")
            return 1
    print(f"{args.submissions} submissions of {LESSON}; scores and late penalties agree / 分数与迟交罚分一致: "
          f"{sorted(stock_scores.values())}")
    print(f"nbgrader autograde (serial):        {stock:6.1f} s")
    for label, (seconds, _, breakdown) in runs.items():
        print(f"{label + ' --jobs ' + str(args.jobs) + ':':35s}{seconds:6.1f} s  speed-up / 加速比 {stock / seconds:.2f}x")
        print(f"    {breakdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
