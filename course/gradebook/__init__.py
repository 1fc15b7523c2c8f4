"""The gradebook and the term: nbgrader's gradebook, due dates, late policy, status and export / 成绩库与学期。

    store       the one way into nbgrader's gradebook: open it (no alembic subprocess), record lessons, final score, time format
    record      a batch's grades written as ``nbgrader autograde`` writes them, with the grader's verdicts (``SaveVerdicts``)
    deadlines   due dates, extensions and submission times
    late_policy the course's late-submission policy, an nbgrader ``LateSubmissionPlugin``
    status      ``course status``: every submission of the term and where its grading stands
    export      ``course export``: the term's grades as CSV or a Canvas gradebook import
    roster      the class list ``student_id,name,email,role``, read and checked
"""
