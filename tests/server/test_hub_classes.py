"""Two classes on one server, and one taken down (`course hub down`) while the other runs on.
同一台服务器上的两个班级，其中一个被撤下，另一个照常运行。需要 root。
"""

import contextlib
import io
import os
import signal
import tarfile
import time
import urllib.error
from pathlib import Path

from class_server import (
    CLASS_SERVER,
    L01,
    as_learner,
    class_listeners,
    class_with_roster,
    pwd_uid,
    wait_for_server,
)

from course import cli
from course.server import hub, processes

pytestmark = CLASS_SERVER


def owned_by(uids: set[int], roots=("/srv", "/home", "/tmp", "/var/tmp", "/dev/shm", "/etc")) -> list[str]:
    """Files or folders under ``roots`` owned by one of ``uids``; pytest's own folders (root only: no account of a class
    can write there) are left out, since other tests chown files there to accounts whose uids a later class reuses
    roots 下属于这些 uid 的文件；不看 pytest 自己的目录（仅 root 可写，班级账户无法写入；其他测试在其中改属主的文件可能与之后班级复用的 uid 相同）"""
    found = []
    for root in roots:
        for folder, dirs, files in os.walk(root, onerror=lambda error: None):
            dirs[:] = [d for d in dirs if not (folder == "/tmp" and d.startswith("pytest-of-"))]
            for name in dirs + files:
                path = os.path.join(folder, name)
                with contextlib.suppress(OSError):
                    if os.lstat(path).st_uid in uids:
                        found.append(path)
    return found


def test_two_classes_run_side_by_side_and_one_is_taken_down(tmp_path):
    """A second class beside the first; `course hub down` removes it and keeps its grades and submissions in an
    archive; the first class runs on / 第二个班级与第一个并存；撤下后只剩归档，第一个班级照常运行"""
    people = [("s1", "S", "student")]
    with class_with_roster(people) as (site, _, _), class_with_roster(people + [("s2", "T", "student")]) as (other, _, _), hub.running(site):
        first_learner, learner, leaving = f"{site.name}-s1", f"{other.name}-s1", f"{other.name}-s2"
        with started_where_ctrl_c_is_ignored(hub.running(other)) as other_hub:
            for a_site, name in ((site, first_learner), (other, learner), (other, leaving)):
                with contextlib.suppress(urllib.error.HTTPError):  # 409: the hub knows them already / hub 中已有此人
                    hub.api(a_site, f"/users/{name}", method="POST")
                hub.api(a_site, f"/users/{name}/server", method="POST")
                wait_for_server(a_site, name, running=True)
            hub.as_grader(other, ["nbgrader", "release_assignment", L01])
            as_learner(other, learner, "fetch_assignment", L01)
            as_learner(other, learner, "submit", L01)
            uids = {pwd_uid(n) for n in hub.members(other)}
            stopping = time.monotonic()
            other_hub.stop()
            # JupyterHub stops its services with SIGINT first, and waits 10 s for each that ignores it
            # JupyterHub 先用 SIGINT 停止其服务，对忽略它的服务各等 10 秒
            assert time.monotonic() - stopping < 10, f"the hub took {time.monotonic() - stopping:.0f} s to stop / hub 停止用时过长"
            # The hub stopped alone: its learners' servers still run until `course hub stop` / hub 单独停止：学生服务器仍在运行
            assert running_as({pwd_uid(learner)}) and running_as({pwd_uid(leaving)})
            # Removed while the hub is stopped: their server ends all the same / hub 停止时被移出：其服务器照样结束
            with contextlib.redirect_stdout(io.StringIO()) as said:
                assert cli.main(["hub", "remove", leaving, "--name", other.name, "--home", str(other.home)]) == 0
            assert "their server and processes ended" in said.getvalue() and not running_as({pwd_uid(leaving)}), said.getvalue()
            with contextlib.redirect_stdout(io.StringIO()) as said:
                assert cli.main(["hub", "stop", "--name", other.name, "--home", str(other.home)]) == 0
            assert "the proxy" in said.getvalue() and learner in said.getvalue(), said.getvalue()
            assert not running_as({pwd_uid(learner)}), "nothing of theirs runs on / 其进程都已结束"
            archives = tmp_path / "archives"
            with contextlib.redirect_stdout(io.StringIO()) as said:
                assert cli.main(["hub", "down", "--name", other.name, "--home", str(other.home), "--archive", str(archives)]) == 0
        (archive,) = archives.iterdir()
        assert str(archive) in said.getvalue()
        with tarfile.open(archive) as tar:
            names = tar.getnames()
        assert f"{other.name}/course/gradebook.db" in names, names
        assert any(n.startswith(f"{other.name}/exchange/inbound/{learner}+{L01}+") for n in names), names
        # Nothing of it listens, runs or owns a file; its groups and accounts are gone / 其端口、进程、文件、组与账户都已不在
        assert class_listeners(other, uids, (other.port, other.hub_port, other.proxy_api_port, other.formgrader_port)) == []
        assert not running_as(uids)
        assert owned_by(uids) == []
        assert not hub.account_exists(learner) and not hub.account_exists(other.grader)
        assert not any(hub.group_exists(g) for g in (other.learners, other.instructors, other.removed))
        assert not other.home.exists() and not other.profile_script.exists()
        # The first class is untouched / 第一个班级不受影响
        assert hub.api(site, f"/users/{first_learner}")["servers"][""]["ready"]


@contextlib.contextmanager
def started_where_ctrl_c_is_ignored(server):
    """Enter ``server`` as a background job of a shell would (`make test &`): SIGINT ignored, which children inherit
    如同 shell 的后台任务那样进入（SIGINT 被忽略，子进程继承）"""
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        entered = server.__enter__()
    finally:
        signal.signal(signal.SIGINT, before)
    with contextlib.ExitStack() as stack:
        stack.push(server)
        yield entered


def running_as(uids: set[int]) -> list[str]:
    """Processes of ``uids`` still running (an ended one waiting for its parent to read its status is not)
    这些 uid 仍在运行的进程（已结束、等待父进程回收的不算）"""
    return [_described(p) for p in Path("/proc").iterdir() if p.name.isdigit() and _uid_of(p) in uids and not processes.ended(int(p.name))]


def _described(proc: Path) -> str:
    with contextlib.suppress(OSError):
        command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        return f"{proc.name} {command}"
    return proc.name


def _uid_of(proc: Path) -> int | None:
    with contextlib.suppress(OSError):
        return proc.stat().st_uid
    return None
