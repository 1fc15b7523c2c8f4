"""Grading: one submission through its steps, and a batch of them into results / 评阅：单份提交的各个步骤，以及整批评阅。

    pipeline    ``grade_submission``: the one path of ``course check`` and ``course grade``
    scoring     what an executed notebook scores (it can only lower it)
    judging     trusted judging: inputs from a secret seed, observations compared with the reference's
    batch       ``course grade``: discover, run the kernels, ``BATCH_STEPS``, then the ``WRITERS`` its options enable
    reports     the writers' files: the notebook as shown to people, CSV, autograded/, feedback
    inert       what a learner made, made inert before feedback and formgrader show it
"""
