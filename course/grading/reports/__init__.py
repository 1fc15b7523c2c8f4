"""What ``course grade`` writes besides the gradebook, one writer each, enabled by its option / 成绩库之外的输出，每种一个写出器。

    shown       the executed notebook as a person may see it: no guard, everything inert, hidden checks by verdict
    csv_files   ``--out``: one row per exercise and one per (student, lesson)
    autograded  ``--autograded``: nbgrader's ``autograded/`` copy for formgrader's manual review
    feedback    ``--feedback``: nbgrader's HTML feedback under a policy that runs no script, with the submission's stamps
"""
