"""What the tests need from the system: one table, read by the installer and by the tests that skip without it.

``make test`` (as root, with apt-get) and ``.ci/run`` install what is missing with ``install``; elsewhere it says
what is missing, each test that needs a missing package skips with one line naming it (``needs``), and the run
ends by listing them with the command that installs them. Standard library only: it runs before the virtual
environment exists, under any ``python3``.

测试需要的系统软件包：安装程序与缺少软件包时跳过的测试共用这一张表。``make test``（root 且有 apt-get）与 ``.ci/run``
用 ``install`` 安装缺少的软件包；否则说明缺少什么，需要它的每个测试以一行说明跳过，测试结束时列出它们及安装命令。

    python3 tests/system_packages.py install          # install what is missing, or say what is / 安装或说明缺少的软件包
    python3 tests/system_packages.py have [PACKAGE...]  # exit 0 when all (default: every one) are there / 全部存在时退出码为 0
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys


def chromium() -> str | None:
    """The system Chromium's path, under either of its Debian names / 系统 Chromium 的路径"""
    return shutil.which("chromium") or shutil.which("chromium-browser")


# Debian package: (what the tests use it for, how to tell it is there) / Debian 软件包：（测试用途，检测方法）
PACKAGES = {
    "chromium": ("the browser tests drive the system Chromium (no browser download) / 浏览器测试使用系统 Chromium",
                 lambda: chromium() is not None),
    "postgresql": ("the shared-gradebook test starts a throwaway PostgreSQL server / 共享成绩库测试启动临时 PostgreSQL",
                   lambda: bool(glob.glob("/usr/lib/postgresql/*/bin/initdb"))),
    "util-linux": ("unshare, for the sandbox of course grade / 沙箱所需的 unshare", lambda: bool(shutil.which("unshare"))),
    "mount": ("mount, for the sandbox of course grade / 沙箱所需的 mount", lambda: bool(shutil.which("mount"))),
    "python3.11": ("an interpreter other users may run: the non-root grader and the class server / 其他用户可运行的解释器",
                   lambda: os.access("/usr/bin/python3.11", os.X_OK)),
    "python3.11-venv": ("the class server's environment is built with it / 课堂服务器的环境由它建立",
                        lambda: os.access("/usr/bin/python3.11", os.X_OK)
                        and subprocess.run(["/usr/bin/python3.11", "-c", "import ensurepip"], capture_output=True).returncode == 0),
    "npm": ("the class server's proxy comes from npm / 课堂服务器的代理由 npm 安装", lambda: bool(shutil.which("npm"))),
    "procps": ("pkill: the class-server test ends its accounts' processes / 课堂服务器测试用 pkill 结束其账户的进程",
               lambda: bool(shutil.which("pkill"))),
}  # fmt: skip
# How a skip for a missing package begins, so the run's summary can find them / 缺少软件包时跳过原因的开头
SKIP_PREFIX = "needs the system package"


def missing(packages=PACKAGES) -> list[str]:
    """The packages of ``packages`` that are not there / 不存在的软件包"""
    return [name for name in packages if not PACKAGES[name][1]()]


def needs(*packages: str):
    """A pytest mark: skip, naming them, unless these packages are installed / pytest 标记：缺少这些软件包时跳过并说明"""
    import pytest

    absent = missing(packages)
    return pytest.mark.skipif(bool(absent), reason=skip_reason(absent))


def install_command(names) -> str:
    return f"sudo apt-get install --no-install-recommends {' '.join(names)}"


def skip_reason(names) -> str:
    """One line naming what is missing / 说明缺少什么的一行"""
    listed = " ".join(names)
    return f"{SKIP_PREFIX} {listed} (not installed; {install_command(names)}) / 需要系统软件包 {listed}（未安装）"


def pytest_terminal_summary(terminalreporter) -> None:
    """End the run by listing the packages whose absence skipped tests, and the command that installs them.

    测试结束时列出因缺少而跳过测试的软件包及其安装命令。
    """
    counts: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if SKIP_PREFIX in reason:
            for name in reason.split(SKIP_PREFIX, 1)[1].split(" (", 1)[0].split():
                counts[name] = counts.get(name, 0) + 1
    if counts:
        terminalreporter.write_sep("=", "skipped for missing system packages / 因缺少系统软件包而跳过")
        for name, count in counts.items():
            terminalreporter.write_line(f"{name}: {count} test(s) skipped / 跳过 {count} 个测试 — {PACKAGES[name][0]}")
        terminalreporter.write_line(f"install them with / 安装命令: {install_command(counts)}  (or run `make test` as root)")


def install() -> int:
    """Install what is missing where this is root with apt-get; otherwise say what is missing. Never fails the tests
    that need nothing of it / root 且有 apt-get 时安装缺少的软件包，否则说明缺少什么。"""
    absent = missing()
    if not absent:
        return 0
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"installing system packages / 正在安装系统软件包: {' '.join(absent)}", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *absent], check=True, env=env,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        absent = missing()
        if absent:
            print(f"still missing after apt-get / apt-get 之后仍缺少: {' '.join(absent)}", file=sys.stderr)
            return 1
        return 0
    print(
        "missing system packages; the tests that need them will be skipped / 缺少系统软件包，需要它们的测试将被跳过:\n"
        + "".join(f"  {name}: {PACKAGES[name][0]}\n" for name in absent)
        + f"install them with / 安装命令: {install_command(absent)}",
        flush=True,
    )
    return 0


def main(argv: list[str]) -> int:
    if argv == ["install"]:
        return install()
    if argv[:1] == ["have"] and all(name in PACKAGES for name in argv[1:]):
        return 1 if missing(argv[1:] or PACKAGES) else 0
    print(
        f"usage: python3 {sys.argv[0]} install | have PACKAGE... (one of: {', '.join(PACKAGES)})",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
