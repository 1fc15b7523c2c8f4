"""A throwaway class for the class-server tests, and what they share / 课堂服务器测试用的临时班级及共用的工具。"""

import contextlib
import io
import os
import time
from pathlib import Path

import pytest
from lesson_cells import ROOT
from system_packages import needs

from course import cli
from course.server import hub, testing

CLASS_SERVER = [
    needs("chromium", "npm", "procps", "python3.11", "python3.11-venv"),
    pytest.mark.skipif(os.geteuid() != 0, reason="a class server needs root (accounts, PAM, servers as each learner) / 课堂服务器需要 root"),
    pytest.mark.root,
]
L01 = "01_numpy_gradient_descent"


@contextlib.contextmanager
def class_with_roster(people, **settings):
    """(site, passwords, roster): a throwaway class whose accounts ``<name>-<suffix>`` come from a roster of
    (suffix, name, role); everything removed afterwards / 由名单建立账户的临时班级，结束后全部删除"""
    with testing.throwaway_site(ROOT, **settings) as site:
        roster = site.home / "roster.csv"
        rows = [f"{site.name}-{suffix},{name},{suffix}@example.edu,{role}" for suffix, name, role in people]
        roster.write_text("student_id,name,email,role\n" + "\n".join(rows) + "\n", encoding="utf-8")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            assert cli.main(["hub", "roster", str(roster), "--name", site.name, "--home", str(site.home)]) == 0
        passwords = dict(line.split(",")[0::2] for line in printed.getvalue().splitlines()[1:])
        assert set(passwords) == {row.split(",")[0] for row in rows}, printed.getvalue()
        yield site, passwords, roster
    assert not [u for u in passwords if hub.account_exists(u)], "the test's accounts are removed / 测试账户应被删除"


def listeners() -> list[tuple[str, int, int, str]]:
    """(address, port, uid, socket inode) of every listening TCP socket of this machine / 本机所有监听中的 TCP 套接字"""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                address, port = fields[1].split(":")
                found.append((address, int(port, 16), int(fields[7]), f"socket:[{fields[9]}]"))
    return found


def class_listeners(site, uids: set[int], ports) -> list[str]:
    """Processes of the class (one of ``uids``, or working in its folders) listening on one of ``ports``. Once the class
    is gone its ports are free, and another test's server may take one: that one is not the class's.
    属于该班级（uid 属于班级，或工作目录在班级目录中）且在这些端口上监听的进程；班级结束后端口可能被其他测试的服务器占用，那不算。"""
    inodes = {inode for _, port, _, inode in listeners() if port in set(ports)}
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            held = {os.readlink(fd) for fd in (proc / "fd").iterdir()} & inodes
            if held and (proc.stat().st_uid in uids or os.readlink(proc / "cwd").startswith(str(site.home))):
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found.append(f"{proc.name} {command}")
        except OSError:
            continue
    return found


def wait_for_server(site, name: str, running: bool, timeout: float = 120) -> None:
    """Until the hub says ``name``'s server is ready (or gone) / 等待 hub 报告服务器就绪（或已停止）"""
    deadline = time.monotonic() + timeout
    while True:
        server = hub.api(site, f"/users/{name}").get("servers", {}).get("")
        if (server is not None and server.get("ready")) == running and (running or server is None):
            return
        assert time.monotonic() < deadline, f"{name}: server {'not ready' if running else 'still there'} / 服务器状态未变化"
        time.sleep(0.5)


def as_learner(site, name, *command):
    """An nbgrader command in ``name``'s home, as ``name``, with their server's environment / 以学生身份运行 nbgrader 命令"""
    home = Path(f"~{name}").expanduser()
    return hub.run(["runuser", "-u", name, "--", "env", "-i", *(f"{k}={v}" for k, v in site.grader_environment().items()),
                    f"HOME={home}", "nbgrader", *command], cwd=home)  # fmt: skip


def pwd_uid(name: str) -> int:
    import pwd

    return pwd.getpwnam(name).pw_uid
