"""requirements.txt and environment.yml pin the same packages, and the installed ones match.
requirements.txt 与 environment.yml 固定相同的包，且已安装的版本与之一致。"""

import re
from importlib import metadata

from lesson_cells import ROOT

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!-]+)$")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_pins(lines: list[str], source: str) -> dict[str, str]:
    pins = {}
    for line in lines:
        match = PIN.match(line.strip())
        assert match, f"{source}: {line.strip()!r} is not pinned with == / 没有用 == 固定版本"
        pins[normalize(match[1])] = match[2]
    return pins


def requirements_pins() -> dict[str, str]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return parse_pins([ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")], "requirements.txt")


def environment_pip_pins() -> dict[str, str]:
    # The pip: block of environment.yml, read without a YAML library / 不借助 YAML 库读取 environment.yml 的 pip: 段
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.strip() == "- pip:")
    indent = len(lines[start]) - len(lines[start].lstrip())
    block = []
    for line in lines[start + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        if line.strip().startswith("- "):
            block.append(line.strip()[2:])
    return parse_pins(block, "environment.yml")


def test_environment_yml_and_requirements_pin_the_same_packages():
    """Both files list the same packages at the same exact versions / 两个文件列出相同的包与版本"""
    assert environment_pip_pins() == requirements_pins()


def test_torch_is_pinned_to_the_course_version():
    """The lessons teach what torch 2.13.0 prints / 课程讲解的是 torch 2.13.0 的实际输出"""
    assert requirements_pins()["torch"] == "2.13.0"


def test_the_cjk_font_comes_with_pip_in_both_files():
    """pip and conda users alike get the course's CJK font from pip, no system font package
    pip 与 conda 用户都通过 pip 得到课程的 CJK 字体，无需系统字体包"""
    from helpers.plotting import BUNDLED_CJK_FONT

    assert BUNDLED_CJK_FONT[0] in requirements_pins() and BUNDLED_CJK_FONT[0] in environment_pip_pins()
    assert "noto-cjk" not in (ROOT / "environment.yml").read_text()


def test_installed_packages_match_the_pins():
    """The environment the tests run in is the pinned one / 运行测试的环境就是固定版本的环境"""
    wrong = {}
    for name, version in requirements_pins().items():
        installed = metadata.version(name)
        if installed.split("+")[0] != version:
            wrong[name] = installed
    assert not wrong, f"installed versions differ from requirements.txt / 已安装版本与 requirements.txt 不一致: {wrong}"
