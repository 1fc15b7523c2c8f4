"""``course grade --out``: the grades as CSV files / 以 CSV 文件输出成绩。"""

import csv
from pathlib import Path

from course.gradebook.store import final_score
from course.results import SubmissionResult

CSV_FIELDS = ("student_id", "assignment", "grade_id", "score", "max_score", "status", "message")
TOTAL_FIELDS = ("student_id", "assignment", "score", "max_score", "status", "late_penalty", "final_score", "submitted_at", "seconds_late")


def write_csvs(out: Path, ordered: list[SubmissionResult]) -> Path:
    """``out`` with one row per exercise, and ``<out stem>.totals.csv`` with one per (student, lesson)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    totals_path = out.with_name(out.stem + ".totals.csv")
    with out.open("w", newline="", encoding="utf-8") as rows_file, totals_path.open("w", newline="", encoding="utf-8") as totals_file:
        rows, totals = csv.writer(rows_file), csv.writer(totals_file)
        rows.writerow(CSV_FIELDS)
        totals.writerow(TOTAL_FIELDS)
        for result in ordered:
            for r in result.rows:
                rows.writerow([result.student, result.lesson, r.grade_id, f"{r.score:g}", f"{r.max_score:g}", r.status, r.message])
            totals.writerow([result.student, result.lesson, f"{result.total:g}", f"{result.max_score:g}", result.status,
                             f"{result.late_penalty:g}", f"{final_score(result.total, result.late_penalty):g}", result.submitted_at or "",
                             f"{result.seconds_late:g}"])  # fmt: skip
    return totals_path
