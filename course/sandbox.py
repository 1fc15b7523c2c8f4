"""Kernels that cannot see or touch the course / 无法看到或改动课程内容的内核。

``course grade`` runs each submission in its own kernel. When the grader is root (CI, a course
server) the kernel is started through ``unshare`` in new mount, network and PID namespaces, and
its view of the file system is built rather than filtered: the course folder, ``/tmp``, ``/run``,
``/home``, ``/root`` (and any folder on the way that others may not enter) are covered by empty
read-only mounts, and only what the kernel needs is put back — the ``helpers`` package, the Python
environment and interpreter (read-only), and its own scratch folder (writable). Solutions, tests,
the gradebook, submissions, other students' scratch folders, outputs and this instructor package
(``course/``, which a kernel therefore cannot import) are out of sight wherever they are. There is no network (the kernel talks to the grader over ZeroMQ ``ipc`` sockets
in its scratch folder), and the kernel runs as its own unprivileged user with CPU-time, memory,
file-size and process limits. Killing it ends every process it started. Where the grader is not root, the kernel only runs in a throwaway
copy of the lesson folder, and one warning says it is not sandboxed.
当评阅者是 root 时，内核在新的挂载、网络和 PID 命名空间中以独立的非特权用户运行，并受资源限制；否则只在临时副本中运行，并警告一次。

Run as ``python -P -m course.sandbox SPEC.json -- KERNEL ARGV``: the part that runs inside the
namespaces, as root, before the view is built. ``-P``: the kernel's working directory (the learner's
files) is not put on ``sys.path``, so a submitted ``course/`` folder cannot stand in for this module.
Only the standard library and ``course.layout`` are imported here.
"""

import json
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from course.layout import CourseLayout

# The first uid the kernels run as; each parallel job gets its own / 内核使用的第一个 uid，每个并行任务各不相同
FIRST_UID = 61000


@dataclass
class Limits:
    """Resource limits of one kernel / 单个内核的资源限制。"""

    cpu_seconds: int = 600
    memory_bytes: int = 8 * 2**30
    processes: int = 256
    file_bytes: int = 64 * 2**20
    open_files: int = 1024


# Folders covered by an empty read-only mount in every sandbox / 每个沙箱中都被空的只读挂载覆盖的目录
COVERED = ("/tmp", "/var/tmp", "/dev/shm", "/run", "/home", "/root", "/srv", "/mnt", "/media")
HOLDING = "/mnt"


@dataclass
class SandboxSpec:
    """What the launcher inside the namespaces needs / 命名空间内的启动程序所需的信息。

    ``covered``: folders to hide; ``exposed``: paths to put back read-only; ``scratch``: the one
    writable folder; ``hidden``: single files to blank out (a gradebook outside the covered folders).
    """

    scratch: str
    uid: int
    covered: list[str] = field(default_factory=list)
    exposed: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)


def sandbox_view(course_root: Path, scratch: Path, private: list[Path]) -> tuple[list[str], list[str], list[str]]:
    """(covered, exposed, hidden) for a kernel of this course: what it must not see, what it needs.

    计算内核的视图：需要覆盖的目录、需要放回的路径、需要隐藏的单个文件。
    """
    import helpers

    exposed = {Path(helpers.__file__).resolve().parent, Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    exposed = sorted({str(p) for p in exposed})
    covered = {str(Path(c)) for c in COVERED if Path(c).is_dir() and not Path(c).is_symlink()}
    covered.add(str(course_root.resolve()))
    # A folder on the way to an exposed path that others may not enter is covered too / 通往所需路径而他人无法进入的目录也要覆盖
    for path in [*exposed, str(scratch.parent)]:
        for ancestor in Path(path).parents:
            if ancestor != Path("/") and not os.stat(ancestor).st_mode & 0o001:
                covered.add(str(ancestor))
    hidden = []
    for item in private:
        item = Path(item).resolve()
        if not any(item == Path(c) or Path(c) in item.parents for c in covered):
            if item.is_dir():
                covered.add(str(item))
            elif item.exists():
                hidden.append(str(item))
    # Only the outermost covers matter: one inside another is already hidden / 只保留最外层的覆盖
    outermost = sorted(c for c in covered if not any(Path(o) in Path(c).parents for o in covered))
    return outermost, exposed, hidden


def is_root() -> bool:
    return os.geteuid() == 0


def sandbox_available() -> bool:
    """Root, with ``unshare`` on PATH / 是 root，且 PATH 中有 ``unshare``。"""
    return is_root() and shutil.which("unshare") is not None


def kernel_argv(spec: SandboxSpec, spec_path: Path, sandboxed: bool = True) -> list[str]:
    """The kernel command for a jupyter kernel spec: sandboxed when asked and possible.

    返回内核启动命令；需要且条件允许时带沙箱。
    """
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    if not (sandboxed and sandbox_available()):
        return kernel
    spec_path.write_text(json.dumps(asdict(spec)))
    return [
        "unshare", "--mount", "--net", "--pid", "--fork", "--kill-child",
        sys.executable, "-P", "-m", "course.sandbox", str(spec_path), "--", *kernel,
    ]  # fmt: skip


def kernel_environment(scratch: Path) -> dict[str, str]:
    """A clean environment: no secrets of the grader, caches in the scratch folder / 干净的环境变量。"""
    env = {
        "PATH": CourseLayout.tools_on_path({"PATH": os.pathsep.join(["/usr/local/bin", "/usr/bin", "/bin"])})["PATH"],
        "HOME": str(scratch),
        "TMPDIR": str(scratch / "tmp"),
        "MPLCONFIGDIR": str(scratch / ".matplotlib"),
        "IPYTHONDIR": str(scratch / ".ipython"),
        "JUPYTER_RUNTIME_DIR": str(scratch / ".runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "LANG": "C.UTF-8",
        "COURSE_DEVICE": "cpu",
        # One thread per kernel: jobs already run in parallel / 每个内核一个线程：任务本身已经并行
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    for key in ("COURSE_LANG",):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


def _enter(spec: SandboxSpec) -> None:
    """Inside the new namespaces, still root: build the view, limit, then become the kernel's user."""
    _mount("--make-rprivate", "/")
    keep = [*spec.exposed, spec.scratch]
    # 1. Park what must stay visible / 先把需要保留的路径暂存起来
    Path(HOLDING).mkdir(exist_ok=True)
    _mount("-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", HOLDING)
    parked = []
    for i, path in enumerate(keep):
        hold = Path(HOLDING) / str(i)
        hold.mkdir()
        _mount("--rbind", path, str(hold))
        parked.append((hold, path))
    # 2. Cover / 覆盖
    for folder in spec.covered:
        if folder != HOLDING:
            _mount("-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", folder)
    # 3. Put back, read-only except the scratch folder / 放回：除临时目录外都是只读
    for hold, path in parked:
        Path(path).mkdir(parents=True, exist_ok=True)
        _mount("--rbind", str(hold), path)
        if path != spec.scratch:
            _mount("-o", "remount,bind,ro", path)
    _mount("--make-rprivate", HOLDING)
    subprocess.run(["umount", "-l", HOLDING], check=True, capture_output=True)
    _mount("-t", "tmpfs", "-o", "ro,size=4k,mode=0755", "tmpfs", HOLDING)
    for folder in spec.covered:
        if folder != HOLDING:
            _mount("-o", "remount,ro", folder)
    for path in spec.hidden:
        _mount("--bind", "/dev/null", path)
    for root, dirs, files in os.walk(spec.scratch):
        for name in [root, *(os.path.join(root, d) for d in dirs), *(os.path.join(root, f) for f in files)]:
            os.chown(name, spec.uid, spec.uid)
    limits = spec.limits
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    os.setgroups([])
    os.setgid(spec.uid)
    os.setuid(spec.uid)
    os.chdir(spec.scratch)


def main(argv: list[str]) -> None:
    spec_path, separator, *kernel = argv
    if separator != "--" or not kernel:
        raise SystemExit("usage: python -P -m course.sandbox SPEC.json -- KERNEL ARGV")
    raw = json.loads(Path(spec_path).read_text())
    spec = SandboxSpec(**{**raw, "limits": Limits(**raw["limits"])})
    _enter(spec)
    os.execv(kernel[0], kernel)


if __name__ == "__main__":
    main(sys.argv[1:])
