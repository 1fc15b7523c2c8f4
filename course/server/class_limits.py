"""Per-learner limits that hold on one machine: control groups of the class / 每位学生的资源限制：班级的控制组。

Each learner's server, and everything it starts (kernels, terminals, whatever a learner detaches), runs in
a control group of its own under the class's: ``<class>/<login>``, with a memory limit (past it the kernel
memory killer picks a process *of that group*) and a CPU quota. Ending the group ends every process in it,
so nothing a learner started outlives their server. Both cgroup versions: v2 (one hierarchy, the class's
group at its root) and v1 (the ``memory`` and ``cpu`` hierarchies, the class's group below this process's
own group there). Where neither can be written (no root, a read-only ``/sys/fs/cgroup``), ``detect``
returns None and ``course hub up`` says the limits are only advertised.
每位学生的服务器及其启动的一切进程都在班级控制组下属于自己的控制组中，设有内存上限（超出时内核只在该组中选进程结束）与 CPU 配额；
结束该组即结束其中所有进程，学生启动的任何进程都不会比其服务器活得更久。支持 cgroup v2 与 v1；都不可写时 detect 返回 None。
"""

import contextlib
import os
import re
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from course.server import processes

CGROUP_FS = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("memory", "cpu")
CPU_PERIOD_US = 100_000
# A login as a folder name: the roster's rule (lower case letters, digits, - and _) / 登录名作为目录名
LOGIN = re.compile(r"[a-z_][a-z0-9_-]{0,31}")


def parse_bytes(text: str | int) -> int:
    """``"2G"``, ``"512M"``, ``"1024K"`` or a number of bytes / 字节数"""
    if isinstance(text, int):
        return text
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)B?\s*", str(text), re.IGNORECASE)
    if found is None:
        raise ValueError(f"not a size: {text!r} (e.g. 2G, 512M) / 不是大小：{text!r}（例如 2G、512M）")
    return int(float(found[1]) * 1024 ** " KMGT".index(found[2].upper() or " "))


@dataclass(frozen=True)
class ClassGroups:
    """The control groups of the class ``name``: ``folders`` maps a controller (``"unified"`` for v2) to the class's folder.
    班级的控制组：folders 把控制器（v2 为 unified）映射到班级的目录。"""

    name: str
    version: int
    folders: dict[str, Path]

    def learner_folders(self, login: str) -> list[Path]:
        if not LOGIN.fullmatch(login):
            raise ValueError(f"not a login: {login!r} / 不是登录名：{login!r}")
        return [folder / login for folder in self.folders.values()]

    def create(self, login: str, memory: int, cpus: float) -> None:
        """The learner's group with its limits (made or updated) / 建立或更新学生的控制组及其限制"""
        for class_folder in self.folders.values():
            class_folder.mkdir(exist_ok=True)
        if self.version == 2:
            (folder,) = self.learner_folders(login)
            _write(self.folders["unified"] / "cgroup.subtree_control", "+memory +cpu")
            folder.mkdir(exist_ok=True)
            _write(folder / "memory.max", str(memory))
            with contextlib.suppress(OSError):  # no swap accounting: nothing to cap / 没有交换分区记账时无需限制
                _write(folder / "memory.swap.max", "0")
            _write(folder / "cpu.max", f"{max(1000, int(cpus * CPU_PERIOD_US))} {CPU_PERIOD_US}")
            return
        memory_folder, cpu_folder = self.learner_folders(login)
        memory_folder.mkdir(exist_ok=True)
        cpu_folder.mkdir(exist_ok=True)
        _write(memory_folder / "memory.limit_in_bytes", str(memory))
        _write(cpu_folder / "cpu.cfs_period_us", str(CPU_PERIOD_US))
        _write(cpu_folder / "cpu.cfs_quota_us", str(max(1000, int(cpus * CPU_PERIOD_US))))

    def join(self, login: str, pid: int) -> None:
        """Move ``pid`` (a server about to start) into the learner's group / 把进程移入学生的控制组"""
        for folder in self.learner_folders(login):
            _write(folder / "cgroup.procs", str(pid))

    def processes(self, login: str) -> set[int]:
        """The group's running processes (an ended one waiting for its parent to read its status is listed by the
        kernel until then, but runs nothing) / 组中仍在运行的进程（已结束、等待父进程回收的不算）"""
        return {pid for pid in self._members(login) if not processes.ended(pid)}

    def _members(self, login: str) -> set[int]:
        found = set()
        for folder in self.learner_folders(login):
            with contextlib.suppress(FileNotFoundError):
                found |= {int(p) for p in (folder / "cgroup.procs").read_text().split()}
        return found

    def end(self, login: str, wait: float = 10) -> bool:
        """Kill every process of the learner's group and remove the group; False if some survived ``wait`` seconds.
        结束学生控制组中的所有进程并删除该组；等待后仍有进程存活时返回 False。"""
        deadline = time.monotonic() + wait
        while (left := self.processes(login)) and time.monotonic() < deadline:
            for pid in left:  # new ones may appear while a fork is under way: read again / 可能有新进程，再读一次
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.05)
        # A group is removed once its ended processes are read by their parents: wait briefly, never for long
        # 已结束的进程被父进程回收后组才能删除：短暂等待，不会久等
        reaped = time.monotonic() + 2
        while self._members(login) and time.monotonic() < reaped:
            time.sleep(0.05)
        for folder in self.learner_folders(login):
            with contextlib.suppress(FileNotFoundError, OSError):
                folder.rmdir()
        return not self.processes(login)

    def remove(self) -> None:
        """The class's groups, once no learner's is left / 删除班级的控制组"""
        for folder in self.folders.values():
            if folder.is_dir():
                for learner in [p for p in folder.iterdir() if p.is_dir()]:
                    self.end(learner.name)
                with contextlib.suppress(OSError):
                    folder.rmdir()


def _write(path: Path, text: str) -> None:
    with open(path, "w") as file:
        file.write(text)


def _own_v1_path(controller: str) -> str:
    """This process's group in a v1 hierarchy (``/`` when not listed) / 本进程在 v1 层级中的控制组"""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, names, path = line.split(":", 2)
        if controller in names.split(","):
            return path
    return "/"


def detect(name: str, root: Path = CGROUP_FS) -> ClassGroups | None:
    """The class's groups where this process may make them (root, the memory and CPU controllers), else None.
    本进程能建立班级控制组（root、内存与 CPU 控制器可用）时返回它们，否则返回 None。"""
    if os.geteuid() != 0 or not root.is_dir():
        return None
    folder_name = f"course-{name}"
    controllers = root / "cgroup.controllers"
    if controllers.is_file():  # v2 / cgroup v2
        offered = set(controllers.read_text().split())
        control = root / "cgroup.subtree_control"
        if not {"memory", "cpu"} <= offered or not os.access(control, os.W_OK):
            return None
        if not {"memory", "cpu"} <= set(control.read_text().split()):
            try:  # refused where this group holds processes (a container's own group) / 本组含有进程时会被拒绝
                _write(control, "+memory +cpu")
            except OSError:
                return None
        return ClassGroups(name, 2, {"unified": root / folder_name})
    folders = {}
    for controller in V1_CONTROLLERS:
        hierarchy = root / controller
        if not (hierarchy / "cgroup.procs").is_file():
            return None
        own = hierarchy / _own_v1_path(controller).lstrip("/")
        if not os.access(own, os.W_OK):
            return None
        folders[controller] = own / folder_name
    return ClassGroups(name, 1, folders)


def describe(groups: ClassGroups | None, memory: str, cpus: float) -> str:
    """What ``course hub up`` says about the limits / course hub up 关于资源限制的说明"""
    if groups is None:
        return (f"per-learner limits ({memory}, {cpus:g} CPU) are NOT enforced: no writable cgroup memory and cpu controllers "
                f"on this machine / 每位学生的限制（{memory}、{cpus:g} CPU）未被强制：本机没有可写的 cgroup 内存与 CPU 控制器")  # fmt: skip
    return (f"per-learner limits enforced with cgroup v{groups.version}: {memory} of memory, {cpus:g} CPU / "
            f"每位学生的限制由 cgroup v{groups.version} 强制：内存 {memory}，CPU {cpus:g}")
