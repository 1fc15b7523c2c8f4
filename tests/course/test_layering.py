"""The instructor package's architecture as rules: which part may import which, and who alone may open the gradebook
or make a scratch folder. 教师端包的架构规则：哪一部分可以导入哪一部分，谁才可以打开成绩库或创建临时目录。"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import course

PACKAGE = Path(course.__file__).parent
# Lowest first; a part imports only lower ranks and itself (course/__init__.py says why)
# 由低到高；每部分只导入更低的层与自身
RANKS = {
    "errors": -1, "bilingual": -1, "layout": 0, "results": 0, "safe_files": 0, "kernel.injected": 0,
    "notebook": 1, "kernel": 2, "gradebook": 3, "grading": 4, "authoring": 4, "server": 4,
    "check": 5, "cli": 6, "__main__": 7,
}  # fmt: skip
# Who may open nbgrader's gradebook, and who may make a temporary folder / 谁可以打开成绩库、谁可以创建临时目录
GRADEBOOK_OWNERS = ("gradebook",)
TEMPORARY_FOLDER_OWNERS = {
    "kernel.scratch": "kernels' scratch folders", "gradebook.store": "a throwaway course for nbgrader",
    "server.hub": "the class environment's build copy", "server.testing": "throwaway class servers (test-only)", "server.accounts": "a roster's private copy",
}  # fmt: skip


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def part_of(module: str) -> str:
    """``kernel.injected.guard`` → ``kernel.injected``; ``grading.batch`` → ``grading`` / 模块所属的部分"""
    return "kernel.injected" if module.startswith("kernel.injected") else module.split(".")[0]


def course_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module inside course) for every import, at any depth (imports inside functions count too)"""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "course":
                found += [(node.lineno, alias.name) for alias in node.names]
            elif node.module.startswith("course."):
                found.append((node.lineno, node.module.removeprefix("course.")))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name.removeprefix("course.")) for a in node.names if a.name.startswith("course.")]
    return found


def layering_violations(sources: dict[str, str]) -> list[str]:
    """Every import of a higher or sibling part, and any import of the course by code sent into kernels
    每一处导入更高层或同层其他部分的地方，以及送入内核的代码对课程的任何导入"""
    problems = []
    for module, source in sources.items():
        mine = part_of(module)
        for line, imported in course_imports(ast.parse(source)):
            theirs = part_of(imported)
            if mine == "kernel.injected":
                problems.append(f"{module}:{line} imports course.{imported}: code sent into kernels imports nothing of the course")
            elif theirs != mine and RANKS[theirs] >= RANKS[mine]:
                problems.append(f"{module}:{line} imports course.{imported} ({theirs}, rank {RANKS[theirs]} ≥ {RANKS[mine]})")
    return problems


def package_sources() -> dict[str, str]:
    return {module_name(p): p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_has_a_rank():
    """A new module or subpackage is placed in the order before it is used / 新的模块或子包要先在层次中安放"""
    assert {part_of(m) for m in package_sources() if m} <= set(RANKS)


def test_no_part_imports_a_higher_or_sibling_part():
    """notebook ← kernel ← gradebook ← grading | authoring | server ← check, cli; injected code imports nothing
    每部分只导入更低的层；送入内核的代码不导入课程"""
    assert layering_violations(package_sources()) == []


@pytest.mark.parametrize(
    ("module", "source"),
    [("notebook.cells", "from course.grading.pipeline import grade_submission"),
     ("gradebook.store", "def later():\n    from course.authoring import release"),
     ("grading.batch", "from course.server import hub"),
     ("kernel.injected.guard", "import course.layout"),
     ("layout", "from course import safe_files")],
    ids=["up-two-layers", "inside-a-function", "sibling", "injected", "foundation-to-foundation"],
)
def test_the_rule_catches_an_import_that_breaks_it(module, source):
    """The rule fails a lower part importing a higher one, however it is written / 无论怎样写，低层导入高层都会被发现"""
    assert layering_violations({module: source})


def calls_to(tree: ast.AST, names: set[str]) -> list[int]:
    """Lines calling or importing any of ``names`` (``tempfile.mkdtemp`` or ``mkdtemp``) / 调用或导入这些名字的行"""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in names or isinstance(node, ast.Name) and node.id in names:
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and any(a.name in names for a in node.names):
            lines.append(node.lineno)
    return lines


def test_only_the_gradebook_package_opens_the_gradebook():
    """nbgrader's ``Gradebook`` and ``open_gradebook`` are used in course/gradebook/ only / 只有 gradebook 包打开成绩库"""
    found = [f"{module}:{line}" for module, source in package_sources().items() if part_of(module) not in GRADEBOOK_OWNERS
             for line in calls_to(ast.parse(source), {"Gradebook", "open_gradebook"})]  # fmt: skip
    assert found == []


def test_only_their_owners_make_scratch_folders():
    """Temporary folders are made by their owners alone (kernels' scratch: course.kernel.scratch) / 临时目录只由其所有者创建"""
    found = [f"{module}:{line}" for module, source in package_sources().items() if module not in TEMPORARY_FOLDER_OWNERS
             for line in calls_to(ast.parse(source), {"mkdtemp", "TemporaryDirectory"})]  # fmt: skip
    assert found == []


# The names inside a scratch folder, spelled by course.kernel.scratch alone / 临时目录中的名字只由 course.kernel.scratch 拼写
SCRATCH_NAMES = ("-kernelspec", "connection.json", ".matplotlib", ".ipython", ".runtime", "reference-", "matplotlib-cache")


def scratch_names_spelled(sources: dict[str, str]) -> list[str]:
    """Every string constant (f-string parts too) naming something inside a scratch folder, outside its owner"""
    found = []
    for module, source in sources.items():
        if module == "kernel.scratch":
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and any(n in node.value for n in SCRATCH_NAMES):
                found.append(f"{module}:{node.lineno} {node.value!r}")
    return found


def test_only_the_scratch_layout_names_what_lies_in_a_scratch_folder():
    """No module but course.kernel.scratch assembles a path inside a scratch folder / 只有 scratch 模块拼写临时目录内的路径"""
    assert scratch_names_spelled(package_sources()) == []
    # and the rule sees one that does / 规则能发现违反者
    assert scratch_names_spelled({"grading.x": 'p = s.parent / f"{s.name}-kernelspec"'}) == ["grading.x:1 '-kernelspec'"]


def test_the_help_and_the_index_name_every_subpackage():
    """`python -m course --help` and course/__init__.py name each subpackage and each foundation module
    course --help 与包索引列出每个子包与基础模块"""
    parts = {p.parent.name for p in PACKAGE.glob("*/__init__.py")} | {p.stem for p in PACKAGE.glob("*.py") if RANKS.get(p.stem, 9) <= 0}
    shown = subprocess.run([sys.executable, "-m", "course", "--help"], capture_output=True, text=True, check=True).stdout
    for part in sorted(parts):
        assert f"\n    {part} " in shown and f"\n    {part} " in course.__doc__, part
