"""The ``course`` command for instructors / 面向教师的 ``course`` 命令。

    course release              regenerate notebooks/ from solutions/ / 由 solutions/ 重新生成 notebooks/
    course execute [LESSON...]  re-run solutions and store their outputs / 重新运行答案笔记本并保存输出
    course check NOTEBOOK       a learner's self-check with the visible tests / 学生用可见测试自查
    course grade SUBMITTED      grade submissions safely into the gradebook / 安全地评阅提交并写入成绩库
    course due LESSON DATE      a lesson's due date, with its time zone / 某课的截止时间（带时区）
    course extend STUDENT LESSON HOURS  more time for one learner / 给某个学生延期
    course status               every submission and where its grading stands / 每份提交及其评阅进度
    course view --lang en|zh    every lesson in one language / 每课的单语言版本
    course export --format csv|canvas  the term's grades from the gradebook / 从成绩库导出本学期成绩
    course hub env|up|roster|remove    a class on one server: JupyterHub (root) / 单台服务器上的课堂：JupyterHub（root）

Only the standard library and light modules are imported up front, so ``course --help`` and argument
errors answer at once; each subcommand imports what it needs (nbformat, nbclient, nbgrader) when it runs.
启动时只导入标准库与轻量模块，``course --help`` 与参数错误能立即响应；各子命令运行时才导入所需的模块。
"""

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

from course.authoring.views import FORMATS, SOURCES
from course.bilingual import LANGUAGES, Text
from course.errors import CourseError, UsageError
from course.gradebook.export import ExportFormat
from course.layout import CourseLayout

SOURCE, RELEASE = CourseLayout.source_directory, CourseLayout.release_directory


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` → (2, 3); anything else is a bilingual ValueError / 解析 K/N。"""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        k = n = 0
    if not 1 <= k <= n:
        raise ValueError(f"--shard wants K/N with 1 ≤ K ≤ N, got {text!r} / --shard 需要 1 ≤ K ≤ N 的 K/N，实际为 {text!r}")
    return k, n


def _release(args: argparse.Namespace) -> int:
    from course.authoring.release import generate_release

    layout = CourseLayout.find(Path.cwd())
    written = generate_release(layout)
    for notebook in written:
        print(f"wrote / 已写出 {notebook.relative_to(layout.root)}")
    print(f"{len(written)} student notebooks in {RELEASE}/ / {RELEASE}/ 中共有 {len(written)} 个学生版笔记本")
    return 0


def _execute(args: argparse.Namespace) -> int:
    layout = CourseLayout.find(Path.cwd())
    known = layout.lessons()
    _known_lessons(layout, args.lessons)
    from nbclient.exceptions import CellExecutionError

    from course.authoring.execute import refresh_outputs

    for lesson in args.lessons or known:
        notebook = layout.source_notebook(lesson)
        print(f"executing / 正在执行 {notebook.relative_to(layout.root)}", flush=True)
        try:
            refresh_outputs(notebook, sanitize_with=layout.sanitize_path)
        except CellExecutionError as error:
            # the cell's traceback once, after both languages / 单元格的回溯只出现一次，放在两种语言之后
            raise CourseError(f"{lesson} failed, its file is unchanged / {lesson} 执行失败，文件未改动:\n{error}") from None
    return 0


def _check(args: argparse.Namespace) -> int:
    from course.bilingual import course_lang
    from course.check import check_notebook

    lang = course_lang()
    report = check_notebook(Path(args.notebook), args.timeout, lang)
    if report.notebook.stem != report.lesson:
        print(f"{report.notebook.name}: checked as lesson {report.lesson} / 按第 {report.lesson} 课检查", file=sys.stderr)
    print("\n".join(report.lines(lang)))
    return report.exit_status


def quick_jsonschema() -> None:
    """Skip the optional IRI checker jsonschema builds from grammars when nbformat imports it (seconds at
    start-up); notebook schemas never use the ``iri`` format it checks. Only before nbformat is imported.
    nbformat 导入 jsonschema 时会由语法文件构建可选的 IRI 检查器（耗时数秒）；笔记本的模式不使用 iri 格式，故跳过它。
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def _grade(args: argparse.Namespace) -> int:
    layout = CourseLayout.find(Path.cwd())
    submitted = Path(args.submitted)
    if not submitted.is_dir():
        raise UsageError(Text(f"no such folder: {submitted}", f"没有这个目录：{submitted}"))
    try:
        shard = parse_shard(args.shard)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if args.jobs < 1 or args.timeout < 1:
        raise UsageError(Text("--jobs and --timeout must be at least 1", "--jobs 与 --timeout 至少为 1"))
    from course.grading.batch import GradeOptions, grade_all

    options = GradeOptions(
        lang=args.lang,
        submitted=submitted.resolve(),
        course=layout,
        out=Path(args.out).resolve() if args.out else None,
        feedback=Path(args.feedback).resolve() if args.feedback else None,
        jobs=args.jobs,
        timeout=args.timeout,
        db_url=args.db_url,
        shard=shard,
        preload=args.preload,
        autograded=Path(args.autograded).resolve() if args.autograded else layout.autograded_dir,
    )
    started = time.perf_counter()
    graded = grade_all(options, log=lambda line: print(line, file=sys.stderr))
    print(grading_summary(graded, time.perf_counter() - started))
    if options.out:
        print(f"grades / 成绩: {options.out}")
    failed = [f"{r.student}/{r.lesson}: {r.grader_error}" for r in graded if r.grader_error]
    if failed:
        print(f"the grader failed on {len(failed)} submission(s), which score nothing; every other one is graded and written / "
              f"评阅程序在 {len(failed)} 份提交上出错，这些提交不计分；其余提交均已评阅并写出:\n  " + "\n  ".join(failed[:20]), file=sys.stderr)  # fmt: skip
        return 1
    return 0


def _known_lessons(layout: CourseLayout, lessons: list[str]) -> None:
    """``UsageError`` naming the lessons the course does not have / 课程中没有这些课时抛出 UsageError"""
    known = layout.lessons()
    unknown = [lesson for lesson in lessons if lesson not in known]
    if unknown:
        raise UsageError(Text(f"unknown lesson(s) {', '.join(unknown)}; known: {', '.join(known)}",
                              f"未知的课程 {'、'.join(unknown)}；已有课程：{'、'.join(known)}"))


def _due(args: argparse.Namespace) -> int:
    import datetime as dt

    from course.gradebook.deadlines import describe_due, parse_due, set_due

    layout = CourseLayout.find(Path.cwd())
    _known_lessons(layout, [args.lesson])
    due = None if args.date.strip().lower() == "none" else parse_due(args.date)
    set_due(layout, args.db_url or layout.gradebook_url, args.lesson, due)
    if due is None:
        print(f"{args.lesson}: no due date / 没有截止时间")
    else:
        print(f"{args.lesson}: {describe_due(due, dt.datetime.now(dt.UTC))}")
    return 0


def _extend(args: argparse.Namespace) -> int:
    import datetime as dt

    from course.gradebook.deadlines import describe_due, grant_extension

    layout = CourseLayout.find(Path.cwd())
    _known_lessons(layout, [args.lesson])
    if not args.student.strip() or "/" in args.student:
        raise UsageError(Text(f"not a student id: {args.student!r}", f"不是学生 id：{args.student!r}"))
    due = grant_extension(layout, args.db_url or layout.gradebook_url, args.student, args.lesson, args.hours)
    told = f"{args.hours:g} h" if args.hours else "no extension / 无延期"
    when = describe_due(due, dt.datetime.now(dt.UTC)) if due is not None else "the lesson has no due date yet / 该课尚无截止时间"
    print(f"{args.student} / {args.lesson}: {told}; {when}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from course.gradebook.status import format_status, term_status

    layout = CourseLayout.find(Path.cwd())
    db_url = args.db_url or layout.gradebook_url
    if db_url == layout.gradebook_url and not layout.gradebook_path.is_file():
        raise UsageError(Text(f"no gradebook yet at {layout.gradebook_path}: run course grade first", "还没有成绩库：请先运行 course grade"))
    print(format_status(term_status(db_url)))
    return 0


def _view(args: argparse.Namespace) -> int:
    from course.authoring.views import write_views

    layout = CourseLayout.find(Path.cwd())
    written = write_views(layout, args.lang, to=args.to, source=args.source, out=Path(args.out) if args.out else None)
    for path in written:
        print(f"wrote / 已写出 {path}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from course.gradebook.export import export_grades

    db_url = args.db_url or CourseLayout.find(Path.cwd()).gradebook_url
    data = export_grades(ExportFormat(args.format), db_url, roster_path=Path(args.roster) if args.roster else None,
                         out=Path(args.out) if args.out else None, warn=lambda line: print(line, file=sys.stderr))  # fmt: skip
    if args.out:
        print(f"wrote / 已写出 {args.out}", file=sys.stderr)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)  # the exact bytes, \n line endings on every system / 原样的字节
        sys.stdout.flush()
    return 0


def grading_summary(graded, seconds: float) -> str:
    """One line on what was graded, counting only the lessons someone submitted (a lesson not collected yet is
    not "missing" for everyone) / 评阅概要：只统计有人提交的课程（尚未收集的课程不算所有人缺交）"""
    from course.results import Status

    submitted = [r for r in graded if r.notebook is not None or any(row.status is not Status.MISSING for row in r.rows)]
    lessons = sorted({r.lesson for r in submitted})
    shown = [r for r in graded if r.lesson in lessons]
    statuses = dict(Counter(str(row.status) for result in shown for row in result.rows))
    missing = len(shown) - len(submitted)
    return (f"graded {len(submitted)} submissions of {len(lessons)} lesson(s) in {seconds:.1f} s ({missing} missing); "
            f"exercises by status: {statuses} / 用时 {seconds:.1f} 秒评阅了 {len(lessons)} 课的 {len(submitted)} 份提交"
            f"（缺交 {missing} 份）；各状态的练习数：{statuses}")


def _hub(args: argparse.Namespace) -> int:
    from course.server import accounts, hub

    root = CourseLayout.find(Path.cwd()).root if args.hub_command in ("env", "up") else None
    hub.require_root()
    if args.hub_command == "env":
        hub.build_environment(root, Path(args.env).resolve())
    elif args.hub_command == "up":
        home = _class_home(args)
        site = hub.Site(home=home, name=args.name, course_id=hub.course_id(root), env=Path(args.env).resolve(),
                        exchange=_class_exchange(args, home), ip=args.ip, port=args.port, idle_timeout=args.idle_timeout,
                        mem_limit=args.mem_limit, cpu_limit=args.cpu_limit, **hub.internal_ports(args.port))  # fmt: skip
        hub.check_ports_free(site)
        hub.build_environment(root, site.env)
        hub.prepare(site, root)
        if args.roster:
            accounts.add_roster(site, Path(args.roster), announce=_password_printer())
        return hub.serve(site)
    elif args.hub_command == "roster":
        accounts.add_roster(hub.Site.load(_class_home(args)), Path(args.file), reset_passwords=args.reset_passwords,
                            restore=args.restore, announce=_password_printer())  # fmt: skip
    elif args.hub_command == "remove":
        for line in accounts.remove(hub.Site.load(_class_home(args)), args.student):
            print(f"{args.student}: {line}")
    elif args.hub_command == "stop":
        stopped = hub.stop_class(hub.Site.load(_class_home(args)))
        print(f"stopped / 已停止: {', '.join(stopped) or 'nothing was running / 没有在运行的进程'}")
    elif args.hub_command == "down":
        site = hub.Site.load(_class_home(args))
        if site.name != args.name:
            raise hub.HubError(f"{site.home} holds the class {site.name}, not {args.name} / {site.home} 中是班级 {site.name}，不是 {args.name}")
        hub.take_down(site, archive_to=None if args.no_archive else Path(args.archive))
    return 0


def _class_home(args: argparse.Namespace) -> Path:
    """``--home``, else ``/srv/<name>`` / 课堂服务器目录：--home，否则 /srv/<name>"""
    from course.server import hub

    return Path(args.home).resolve() if args.home else hub.Site.defaults(args.name)["home"]


def _class_exchange(args: argparse.Namespace, home: Path) -> Path:
    """``--exchange``, else the one the class used before (saved at ``up``), else ``<home>/exchange`` / 交换目录"""
    from course.server import hub

    if args.exchange:
        return Path(args.exchange).resolve()
    try:
        return hub.Site.load(home).exchange
    except hub.HubError:
        return home / "exchange"


def _password_printer():
    """Print each account as soon as its password is set; a password is shown this once and stored nowhere.
    每个账户的密码设置后立即打印；密码只显示这一次，不会保存。"""
    print("student_id,role,password  (new accounts only; shown once / 仅新账户；只显示这一次)", flush=True)

    def announce(member, password) -> None:
        print(f"{member.student_id},{member.role},{password or '(unchanged / 未改动)'}", flush=True)

    return announce


def _add_hub_parser(commands) -> None:
    hub = commands.add_parser("hub", help="a class on one server: JupyterHub with the course (as root) / 单台服务器上的课堂（root）")
    sub = hub.add_subparsers(dest="hub_command", required=True, metavar="HUB_COMMAND")
    env = sub.add_parser("env", help="build or update the class environment (in the course folder) / 建立或更新课堂环境（在课程目录中运行）")
    up = sub.add_parser("up", help="prepare the server and run JupyterHub (in the course folder) / 准备服务器并运行 JupyterHub（在课程目录中运行）")
    for parser in (env, up):
        parser.add_argument("--env", default="/opt/course/env", help="the class environment / 课堂环境 (%(default)s)")
    up.add_argument("--ip", default="127.0.0.1",
                    help="address to listen on; 0.0.0.0 only behind a TLS reverse proxy / 监听地址 (%(default)s)")  # fmt: skip
    up.add_argument("--port", type=int, default=8000, help="the hub's port; the internal ones follow (+1, +81, +1999) / hub 的端口，内部端口随之确定 (%(default)s)")
    up.add_argument("--exchange", help="nbgrader's shared exchange (default: the class's earlier one, else <home>/exchange) / "
                    "共享交换目录（默认：本班之前使用的，否则为 <home>/exchange）")  # fmt: skip
    up.add_argument("--mem-limit", default="2G", help="memory of each learner's server and all it starts / 每位学生的内存上限 (%(default)s)")
    up.add_argument("--cpu-limit", type=float, default=1.0, help="CPUs of each learner / 每位学生的 CPU 数 (%(default)s)")
    up.add_argument("--idle-timeout", type=int, default=3600, help="seconds before an idle server stops / 空闲服务器停止前的秒数")
    up.add_argument("--roster", help="CSV student_id,name,email,role: accounts to create first / 先建立这些账户")
    roster = sub.add_parser("roster", help="accounts from a roster CSV student_id,name,email,role / 依据名单建立账户")
    roster.add_argument("file", metavar="FILE")
    roster.add_argument("--reset-passwords", action="store_true", help="new passwords for existing accounts too / 已有账户也换新密码")
    roster.add_argument("--restore", action="store_true",
                        help="bring back accounts removed earlier that the roster lists / 恢复名单中之前被移出的账户")  # fmt: skip
    remove = sub.add_parser("remove", help="take someone out of the class, keeping their work / 将某人移出班级并保留其作业")
    remove.add_argument("student", metavar="STUDENT")
    stop = sub.add_parser("stop", help="end the servers and proxy a stopped hub left running / 结束已停止的 hub 留下的服务器与代理")
    down = sub.add_parser("down", help="take the class down: stop it, remove its accounts, groups and folders, "
                          "keeping grades and submissions in an archive / 撤下班级：停止并删除账户、组与目录，成绩与提交保存在归档中")  # fmt: skip
    down.add_argument("--archive", default="/srv/course-archives", help="folder of the archive / 归档目录 (%(default)s)")
    down.add_argument("--no-archive", action="store_true", help="keep nothing / 不保留任何内容")
    for parser in (up, roster, remove, stop, down):
        parser.add_argument("--name", default="course", help="the class: prefix of its groups and grader account / 班级名：组与评阅账户名的前缀 (%(default)s)")
        parser.add_argument("--home", help="the class server's folder (default /srv/<name>) / 课堂服务器的目录（默认 /srv/<name>）")
    hub.set_defaults(run=_hub)


def build_parser() -> argparse.ArgumentParser:
    import course

    # Where the code lives, from the package's own index / 代码在哪里：取自包自身的索引
    code_map = course.__doc__[course.__doc__.index("Foundations") : course.__doc__.index("``tests/")].rstrip()
    parser = argparse.ArgumentParser(prog="course", description="Instructor tools of the course / 课程的教师工具",
                                     epilog=f"The code, course/ / 代码 course/:\n\n{code_map}",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    release = commands.add_parser(
        "release", help=f"regenerate {RELEASE}/ from {SOURCE}/ / 由 {SOURCE}/ 重新生成 {RELEASE}/"
    )
    release.set_defaults(run=_release)
    execute = commands.add_parser(
        "execute",
        help=f"re-run {SOURCE}/ notebooks on the CPU and store their outputs / 在 CPU 上重新运行答案笔记本并保存输出",
    )
    execute.add_argument("lessons", nargs="*", metavar="LESSON", help="default: every lesson / 默认：所有课程")
    execute.set_defaults(run=_execute)
    check = commands.add_parser(
        "check", help="run a notebook's visible tests, as the grader would / 像评分程序一样运行笔记本的可见测试"
    )
    check.add_argument("notebook", metavar="NOTEBOOK")
    check.add_argument("--timeout", type=int, default=120, help="seconds per cell / 每个单元格的秒数")
    check.set_defaults(run=_check)
    grade = commands.add_parser(
        "grade", help="grade SUBMITTED/<student>/<lesson>/<lesson>.ipynb / 评阅 SUBMITTED/<学生>/<课程>/<课程>.ipynb"
    )
    grade.add_argument("submitted", metavar="SUBMITTED")
    grade.add_argument("--out", help="CSV of grades, one row per exercise / 成绩 CSV，每个练习一行")
    grade.add_argument("--feedback", help="folder for HTML feedback / HTML 反馈的目录")
    grade.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="submissions graded at once / 同时评阅的提交数")
    grade.add_argument("--timeout", type=int, default=60, help="seconds per cell / 每个单元格的秒数")
    grade.add_argument("--db-url", help="SQLAlchemy URL of the gradebook / 成绩库的 SQLAlchemy URL")
    grade.add_argument("--shard", default="1/1", help="grade shard K of N of the students / 只评阅第 K/N 份学生")
    grade.add_argument("--lang", choices=LANGUAGES, default="both", help="language of messages and feedback / 信息与反馈的语言")
    grade.add_argument("--no-preload", dest="preload", action="store_false",
                       help="start every kernel from scratch, not forked from a pre-imported parent / 每个内核都从头启动")  # fmt: skip
    grade.add_argument("--autograded", help="nbgrader's autograded/ folder, which formgrader opens (default: the course's) / "
                       "nbgrader 的 autograded/ 目录，formgrader 从中打开（默认：课程的）")  # fmt: skip
    grade.set_defaults(run=_grade)
    due = commands.add_parser("due", help="set a lesson's due date in the gradebook / 在成绩库中设置某课的截止时间")
    due.add_argument("lesson", metavar="LESSON")
    due.add_argument("date", metavar="DATE", help="ISO 8601 with its UTC offset, e.g. 2026-12-01T23:59+08:00, or 'none' / 带时区的时间，或 none")
    due.add_argument("--db-url", help="SQLAlchemy URL of the gradebook / 成绩库的 SQLAlchemy URL")
    due.set_defaults(run=_due)
    extend = commands.add_parser("extend", help="give a learner more time for a lesson / 给学生某课延期")
    extend.add_argument("student", metavar="STUDENT")
    extend.add_argument("lesson", metavar="LESSON")
    extend.add_argument("hours", metavar="HOURS", type=float, help="hours after the due date; 0 removes the extension / 延期小时数；0 表示取消")
    extend.add_argument("--db-url", help="SQLAlchemy URL of the gradebook / 成绩库的 SQLAlchemy URL")
    extend.set_defaults(run=_extend)
    status = commands.add_parser("status", help="every submission and where its grading stands / 每份提交及其评阅进度")
    status.add_argument("--db-url", help="SQLAlchemy URL of the gradebook / 成绩库的 SQLAlchemy URL")
    status.set_defaults(run=_status)
    view = commands.add_parser("view", help="write every lesson in one language / 写出每课的单语言版本")
    view.add_argument("--lang", choices=LANGUAGES, required=True)
    view.add_argument("--to", choices=FORMATS, default="notebook")
    view.add_argument("--from", dest="source", choices=SOURCES, default=RELEASE, help="student notebooks or solutions / 学生版或答案")
    view.add_argument("--out", help="output folder (default views/<from>-<lang>) / 输出目录")
    view.set_defaults(run=_view)
    export = commands.add_parser("export", help="write the term's grades from the gradebook as CSV / 把成绩库中的本学期成绩写成 CSV")
    export.add_argument("--format", choices=[f.value for f in ExportFormat], required=True,
                        help="csv: one row per student; canvas: Canvas's gradebook import / csv：每个学生一行；canvas：Canvas 成绩导入格式")  # fmt: skip
    export.add_argument("--out", help="file to write (default: standard output) / 输出文件（默认：标准输出）")
    export.add_argument("--roster", help="CSV student_id,name,email,role: names and logins for canvas / 名单 CSV，为 canvas 提供姓名与登录名")
    export.add_argument("--db-url", help="SQLAlchemy URL of the gradebook (default: the course's gradebook.db) / 成绩库的 SQLAlchemy URL")
    export.set_defaults(run=_export)
    _add_hub_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    quick_jsonschema()  # every command reads notebooks; a second of start-up saved / 每个命令都读笔记本，省下约一秒启动时间
    try:
        return args.run(args)
    except CourseError as error:  # the one place an error becomes output / 错误只在这里变成输出
        print(error, file=sys.stderr)
        return error.exit_status


if __name__ == "__main__":
    sys.exit(main())
