"""The instructor's tool: the ``course`` command and what it runs / 教师的工具：``course`` 命令及其所用的模块。

The learner's side is ``helpers/`` (what a notebook imports); this package is the grader's side and
is never visible to a grading kernel (see ``course.kernel.sandbox``).
学生端是 ``helpers/``（笔记本导入的模块）；本包是评分端，评阅内核看不到它。

Foundations (import nothing else of the course) / 基础（不导入课程的其他模块）:
    errors      ``CourseError``: every error the command reports, with its exit status (``cli.main`` prints it)
    layout      where the course's folders and files are (``CourseLayout``, nbgrader's configuration of it)
    bilingual   ``Text``: a message of the course's own in both languages; one language out of ``English / 中文``
    results     ``Status`` and the results model (``CellProblem``, ``ExerciseResult``, ``SubmissionResult``)
    safe_files  reading what a learner wrote: never through a link, within a size limit

Subpackages, lowest first; each imports only the foundations and the ones above it
子包（由低到高），每个只导入基础模块与排在它前面的子包:
    notebook    the notebook model: cells, the lesson, a submission, the notebook that runs
    kernel      how code runs apart from the grader: runner, sandbox, zygote, scratch folders; ``injected`` (sent as source)
    gradebook   nbgrader's gradebook (``store``: its one way in; ``record``: a batch's grades), deadlines, late policy,
                status, export, roster
    grading     one submission's steps (``pipeline``), scoring, trusted judging, ``course grade``'s batch and its
                ``reports`` (CSV, autograded/, feedback)
    authoring   the course's notebooks: release, execute, views (beside grading: neither imports the other)
    server      the class server: hub, accounts, control groups, the exchange (beside grading and authoring)

The command / 命令:
    check       ``course check``: one learner's notebook through the same pipeline as ``course grade``
    cli         the ``course`` command: argument parsing, one handler per subcommand importing what it needs

``tests/course/test_layering.py`` holds every module to this order. Importing this package does nothing else.
tests/course/test_layering.py 检查每个模块都遵守这个顺序。导入本包不做其他事情。
"""
