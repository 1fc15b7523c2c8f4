"""The instructor's tool: the ``course`` command and what it runs / 教师的工具：``course`` 命令及其所用的模块。

The learner's side is ``helpers/`` (what a notebook imports); this package is the grader's side and
is never visible to a grading kernel (see ``course.sandbox``).
学生端是 ``helpers/``（笔记本导入的模块）；本包是评分端，评阅内核看不到它。

    layout          where the course's folders and files are (one object, ``CourseLayout``)
    cli             the ``course`` command: argument parsing only, each subcommand imports what it needs
    release         ``course release``: notebooks/ from solutions/ with nbgrader
    execute         ``course execute``: re-run solutions and store sanitized outputs
    views           ``course view``: one language at a time
    bilingual       one language out of ``English / 中文`` messages
    results         ``Status`` and the results model (``ExerciseResult``, ``SubmissionResult``)
    grading         one notebook: reading it (never through a link), the lesson, which cells run
    scoring         what an executed notebook scores (it can only lower it); SaveVerdicts writes the grader's verdict
    pipeline        ``grade_submission``: the one path of ``course check`` and ``course grade``
    guard           the in-kernel guard against monkey-patching, injected as source
    notebook_runner a fresh, possibly sandboxed kernel per notebook
    sandbox         the kernel's view of the file system, its user and limits; ``python -P -m course.sandbox``
    grade_batch     ``course grade``: a folder of submissions into nbgrader's gradebook
    judging         trusted judging: inputs from a secret seed, observations compared with the reference (the hidden check)
    plain_data      the only data that crosses from a kernel to the grader: plain data as bytes, under limits
    kernel_observer the observing code sent to a kernel as source
    inert           what a learner made, made inert before feedback and formgrader show it
    zygote          a pre-imported parent that forks each submission's kernel into its sandbox
    deadlines       due dates, extensions and submission times in nbgrader's gradebook
    late_policy     the course's late-submission policy, an nbgrader ``LateSubmissionPlugin``
    status          ``course status``: every submission of the term and where its grading stands
    export          ``course export``: the term's grades as CSV or a Canvas gradebook import
    roster          the class list ``student_id,name,email,role``, read and checked
    hub             ``course hub env|up|stop|down``: the class environment, the server's folders, its proxy, JupyterHub
                    (deploy/hub), a class taken down into an archive
    class_limits    each learner's control group: memory and CPU limits, nothing outliving their server
    class_spawner   JupyterHub's spawner that puts each learner's server in that group (imported by the hub only)
    accounts        ``course hub roster|remove``: the class's Unix logins and gradebook students
    collect         nbgrader's exchange on a shared server: only submissions their student owns, each kept private
    gradebook       nbgrader's gradebook opened the way every command opens it (no alembic subprocess)

Importing this package does nothing else / 导入本包不做其他事情。
"""
