"""The ``course`` command for instructors / 面向教师的 ``course`` 命令。

    course release              regenerate notebooks/ from solutions/ / 由 solutions/ 重新生成 notebooks/
    course execute [LESSON...]  re-run solutions and store their outputs / 重新运行答案笔记本并保存输出
"""

import argparse
import sys
from pathlib import Path

from nbclient.exceptions import CellExecutionError

from helpers.outputs import refresh_outputs
from helpers.release import RELEASE_DIR, SOURCE_DIR, ReleaseError, find_lessons, generate_release


def find_course_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding ``nbgrader_config.py`` and ``solutions/``."""
    for folder in (start, *start.parents):
        if (folder / "nbgrader_config.py").is_file() and (folder / SOURCE_DIR).is_dir():
            return folder
    raise SystemExit(
        f"No course found at or above {start} (looked for nbgrader_config.py and {SOURCE_DIR}/) / "
        f"在 {start} 及其上级目录中没有找到课程（需要 nbgrader_config.py 和 {SOURCE_DIR}/）"
    )


def _release(args: argparse.Namespace) -> int:
    root = find_course_root(Path.cwd())
    try:
        written = generate_release(root)
    except ReleaseError as error:
        print(error, file=sys.stderr)
        return 1
    for notebook in written:
        print(f"wrote / 已写出 {notebook.relative_to(root)}")
    print(f"{len(written)} student notebooks in {RELEASE_DIR}/ / {RELEASE_DIR}/ 中共有 {len(written)} 个学生版笔记本")
    return 0


def _execute(args: argparse.Namespace) -> int:
    root = find_course_root(Path.cwd())
    known = find_lessons(root)
    unknown = [lesson for lesson in args.lessons if lesson not in known]
    if unknown:
        print(
            f"unknown lesson(s) {', '.join(unknown)}; known: {', '.join(known)} / "
            f"未知的课程 {'、'.join(unknown)}；已有课程：{'、'.join(known)}",
            file=sys.stderr,
        )
        return 2
    for lesson in args.lessons or known:
        notebook = root / SOURCE_DIR / lesson / f"{lesson}.ipynb"
        print(f"executing / 正在执行 {notebook.relative_to(root)}", flush=True)
        try:
            refresh_outputs(notebook)
        except CellExecutionError as error:
            print(f"{lesson} failed, its file is unchanged / {lesson} 执行失败，文件未改动:\n{error}", file=sys.stderr)
            return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course", description="Instructor tools of the course / 课程的教师工具")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    release = commands.add_parser(
        "release", help=f"regenerate {RELEASE_DIR}/ from {SOURCE_DIR}/ / 由 {SOURCE_DIR}/ 重新生成 {RELEASE_DIR}/"
    )
    release.set_defaults(run=_release)
    execute = commands.add_parser(
        "execute",
        help=f"re-run {SOURCE_DIR}/ notebooks on the CPU and store their outputs / 在 CPU 上重新运行答案笔记本并保存输出",
    )
    execute.add_argument("lessons", nargs="*", metavar="LESSON", help="default: every lesson / 默认：所有课程")
    execute.set_defaults(run=_execute)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
