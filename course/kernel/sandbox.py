"""Kernels that cannot see or touch the course / 无法看到或改动课程内容的内核。

``course grade`` runs each submission in its own kernel. When the grader is root (CI, a course
server) the kernel is started through ``unshare`` in new mount, network, PID (with a fresh
``/proc``) and IPC namespaces, so no two kernels share a channel (System V or POSIX IPC, abstract
sockets, processes, files), and its view of the file system is built rather than filtered: the
course folder, ``/run``, ``/home``, ``/root`` (and any folder on the way that others may not enter)
are covered by empty read-only mounts, ``/tmp`` and ``/dev/shm`` by empty writable ones of its own,
and only what the kernel needs is put back — the ``helpers`` package, the Python
environment and interpreter (read-only), and its own scratch folder (writable). Solutions, tests,
the gradebook, submissions, other students' scratch folders, outputs and this instructor package
(``course/``, which a kernel therefore cannot import) are out of sight wherever they are. There is no network (the kernel talks to the grader over ZeroMQ ``ipc`` sockets
in its scratch folder), and the kernel runs as its own unprivileged user with CPU-time, memory,
file-size and process limits. Killing it ends every process it started.

Where the grader is not root (a grader account on a class server), the same view is built inside an
unprivileged user namespace (``unshare --user --map-root-user``) where the kernel allows them: the
same covered and exposed folders, a fresh ``/proc`` for its PID namespace, no network, the same
limits. A user namespace cannot switch to another real user, so two things replace that: every
other mount the kernel can see is made read-only (it can write only its scratch folder), and before
the kernel starts the launcher enters a second user namespace as a non-root user, so the kernel
holds no capability over its mounts and cannot uncover what they hide. Files the grader account
alone may read and that lie outside the covered folders (the course, ``/home``, ``/root``, the
grader's home, ``/tmp`` …) remain readable: keep the grader's private files there. Where neither
root nor user namespaces are available, the kernel only runs in a throwaway copy of the lesson
folder, and one warning says it is not sandboxed (``sandbox_mode()`` decides, once).
当评阅者是 root 时，内核在新的挂载、网络和 PID 命名空间中以独立的非特权用户运行，并受资源限制；非 root 但系统允许
非特权用户命名空间时，在用户命名空间中建立同样的只读视图（其余挂载全部只读，内核不持有任何权限）；两者都不可用时
只在临时副本中运行，并警告一次。

Run as ``python -P -m course.kernel.sandbox SPEC.json -- KERNEL ARGV``: the part that runs inside the
namespaces, as root, before the view is built. ``-P``: the kernel's working directory (the learner's
files) is not put on ``sys.path``, so a submitted ``course/`` folder cannot stand in for this module.
Only the standard library and ``course.layout`` are imported here.
"""

import ctypes
import functools
import json
import os
import re
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from course.kernel.scratch import KernelFolder
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
COVERED = ("/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue", "/run", "/home", "/root", "/srv", "/mnt", "/media")
# Of those, the ones each kernel gets back empty and writable, its own: nothing another kernel wrote is there
# 其中每个内核各自得到的空的可写目录：其他内核写入的内容都不在其中
PRIVATE = ("/tmp", "/dev/shm")
PRIVATE_SIZE = "64m"
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
    rootless: bool = False  # built inside an unprivileged user namespace / 在非特权用户命名空间中建立


def sandbox_view(course_root: Path, scratch: Path, private: list[Path]) -> tuple[list[str], list[str], list[str]]:
    """(covered, exposed, hidden) for a kernel of this course: what it must not see, what it needs.

    计算内核的视图：需要覆盖的目录、需要放回的路径、需要隐藏的单个文件。
    """
    import helpers

    exposed = {Path(helpers.__file__).resolve().parent, Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    # Site folders the environment adds from elsewhere (a ``.pth`` line, a layered environment) hold
    # packages only / 环境从别处加入的 site 目录只含软件包
    for entry in sys.path:
        site = Path(entry or ".").resolve()
        if site.name in ("site-packages", "dist-packages") and site.is_dir() and not any(e == site or e in site.parents for e in exposed):
            exposed.add(site)
    exposed = sorted({str(p) for p in exposed})
    covered = {str(Path(c)) for c in COVERED if Path(c).is_dir() and not Path(c).is_symlink()}
    covered.add(str(course_root.resolve()))
    home = Path.home().resolve()  # the grader's home, wherever it is / 评阅者的主目录
    if home.is_dir() and home != Path("/"):
        covered.add(str(home))
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
    # Only the outermost covers matter: one inside another is already hidden, except inside a private folder, which the
    # kernel may write (a course under /tmp stays covered, read-only, there) / 只保留最外层的覆盖；内核可写的私有目录中的覆盖除外
    outermost = sorted(c for c in covered if not any(Path(o) in Path(c).parents for o in covered if o not in PRIVATE))
    return outermost, exposed, hidden


def is_root() -> bool:
    return os.geteuid() == 0


# The namespaces of a kernel: as root, and as an unprivileged user. Each has its own mounts, network (and so
# abstract Unix sockets), processes with a fresh /proc, and System V / POSIX IPC: no channel to another kernel.
# 内核的命名空间：root 与非特权用户。各自拥有挂载、网络（因而抽象 Unix 套接字）、进程（全新的 /proc）与 IPC：与其他内核之间没有通道。
ROOT_UNSHARE = ("unshare", "--mount", "--net", "--pid", "--ipc", "--fork", "--kill-child", "--mount-proc")
USER_UNSHARE = ("unshare", "--user", "--map-root-user", "--mount", "--net", "--pid", "--ipc", "--fork", "--kill-child", "--mount-proc")

NOT_SANDBOXED = (
    "warning: the grading kernels are not sandboxed: this is not root and unprivileged user namespaces are "
    "not available here (they run as you, with your files and network); they only work in throwaway copies. / "
    "警告：评阅内核没有沙箱：当前不是 root，且本机不允许非特权用户命名空间（内核以你的身份运行，能访问你的文件和网络），"
    "只是在临时副本中运行。"
)


@functools.cache
def sandbox_mode() -> str | None:
    """``"root"``, ``"userns"`` (not root, unprivileged user namespaces work) or ``None``; decided once.

    Not root, a tiny sandbox is tried: the same namespaces a kernel gets and one mount.
    沙箱方式：root、用户命名空间或无；只判断一次（非 root 时试建一个最小的沙箱）。
    """
    if shutil.which("unshare") is None:
        return None
    if is_root():
        return "root"
    probe = [*USER_UNSHARE, "mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", HOLDING]
    try:
        works = subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        works = False
    return "userns" if works else None


def sandbox_available() -> bool:
    """A kernel can be sandboxed: root, or unprivileged user namespaces / 可以使用沙箱：root 或用户命名空间。"""
    return sandbox_mode() is not None


def kernel_environment(scratch: Path, lang: str | None = None) -> dict[str, str]:
    """A clean environment: no secrets of the grader, caches in the scratch folder, the grader's ``helpers`` first on the
    path, the learner's language (``lang``: en, zh or both; unset, the kernel's helpers show both) / 干净的环境变量，含学生的语言。"""
    import helpers

    folder = KernelFolder(scratch)
    env = {
        # The helpers the grader imported, the ones the sandbox puts back (sandbox_view), come first: not an installation's
        # copy the sandbox hides, or another version / 评阅程序导入的、沙箱放回的那份 helpers 优先，而不是被隐藏的或另一版本的
        "PYTHONPATH": str(Path(helpers.__file__).resolve().parent.parent),
        "PATH": CourseLayout.tools_on_path({"PATH": os.pathsep.join(["/usr/local/bin", "/usr/bin", "/bin"])})["PATH"],
        "HOME": str(scratch),
        "TMPDIR": str(folder.tmp),
        "MPLCONFIGDIR": str(folder.matplotlib),
        "IPYTHONDIR": str(folder.ipython),
        "JUPYTER_RUNTIME_DIR": str(folder.runtime),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "LANG": "C.UTF-8",
        "COURSE_DEVICE": "cpu",
        # One thread per kernel: jobs already run in parallel / 每个内核一个线程：任务本身已经并行
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    if lang is not None:  # what helpers.explain and the checks print in / helpers 输出所用的语言
        env["COURSE_LANG"] = lang
    return env


def mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


def enter_sandbox(spec: SandboxSpec) -> None:
    """Inside the new namespaces, still root: build the view, limit, then become the kernel's user."""
    mount("--make-rprivate", "/")
    keep = [*spec.exposed, spec.scratch]
    # 1. Park what must stay visible / 先把需要保留的路径暂存起来
    Path(HOLDING).mkdir(exist_ok=True)
    mount("-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", HOLDING)
    parked = []
    for i, path in enumerate(keep):
        hold = Path(HOLDING) / str(i)
        hold.mkdir()
        mount("--rbind", path, str(hold))
        parked.append((hold, path))
    # 2. Cover; /tmp and /dev/shm with empty writable folders of the kernel's own / 覆盖；/tmp 与 /dev/shm 换成内核自己的空的可写目录
    for folder in spec.covered:  # sorted: a private folder before the covers inside it / 已排序：私有目录在其内部的覆盖之前
        if folder != HOLDING:
            options = f"size={PRIVATE_SIZE},mode=1777" if folder in PRIVATE else "size=64k,mode=0755"
            Path(folder).mkdir(parents=True, exist_ok=True)
            mount("-t", "tmpfs", "-o", options, "tmpfs", folder)
    # 3. Put back, read-only except the scratch folder / 放回：除临时目录外都是只读
    for hold, path in parked:
        Path(path).mkdir(parents=True, exist_ok=True)
        mount("--rbind", str(hold), path)
        if path != spec.scratch:
            mount("-o", "remount,bind,ro", path)
    mount("--make-rprivate", HOLDING)
    subprocess.run(["umount", "-l", HOLDING], check=True, capture_output=True)
    mount("-t", "tmpfs", "-o", "ro,size=4k,mode=0755", "tmpfs", HOLDING)
    for folder in spec.covered:
        if folder not in (HOLDING, *PRIVATE):
            # In a user namespace only the mount, not the file system, can be remounted (its options name
            # unmapped ids) / 用户命名空间中只能重新挂载挂载点，不能重新挂载文件系统
            mount("-o", "remount,bind,ro" if spec.rootless else "remount,ro", folder)
    for path in spec.hidden:
        mount("--bind", "/dev/null", path)
    if spec.rootless:
        _read_only_elsewhere(spec.scratch)
    else:
        for root, dirs, files in os.walk(spec.scratch):
            for name in [root, *(os.path.join(root, d) for d in dirs), *(os.path.join(root, f) for f in files)]:
                os.chown(name, spec.uid, spec.uid)
    limits = spec.limits
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    if spec.rootless:
        _drop_privileges(spec.uid)
    else:
        os.setgroups([])
        os.setgid(spec.uid)
        os.setuid(spec.uid)
    os.chdir(spec.scratch)


# Per-mount flags a user namespace may not drop from a mount it inherited / 用户命名空间不能去掉继承挂载的这些标志
_LOCKED_FLAGS = ("nosuid", "nodev", "noexec", "noatime", "nodiratime", "relatime", "strictatime")
# Kernel file systems left as they are: fresh /proc, devices, sysfs / 保持原样的内核文件系统
_KERNEL_FOLDERS = ("/proc", "/sys", "/dev")


def _mounts() -> list[tuple[str, list[str]]]:
    """(mount point, per-mount options) of every mount of this namespace, from /proc/self/mountinfo."""
    mounts = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])  # \040: a space / 空格
        mounts.append((point, fields[5].split(",")))
    return mounts


def _inside(path: str, folders) -> bool:
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


def _read_only_elsewhere(scratch: str) -> None:
    """Rootless: the kernel runs as the grader's own user, so every mount it can see, except its scratch
    folder and the kernel file systems, becomes read-only / 非 root：除临时目录外，内核可见的挂载全部只读。"""
    for point, options in _mounts():
        if "ro" in options or _inside(point, [scratch, *_KERNEL_FOLDERS]) or point in PRIVATE:
            continue
        kept = [o for o in options if o in _LOCKED_FLAGS]
        done = subprocess.run(["mount", "-o", ",".join(["remount", "bind", "ro", *kept]), point], capture_output=True, text=True)
        if done.returncode != 0 and os.path.lexists(point):  # a mount under a cover is out of sight anyway / 被覆盖的挂载本就不可见
            raise SystemExit(f"sandbox: cannot make {point} read-only / 无法将其设为只读: {done.stderr.strip()}")


def _drop_privileges(uid: int) -> None:
    """Rootless: enter a second user namespace as ``uid`` (not root there), so that after ``exec`` the
    kernel holds no capability: it cannot unmount what hides the course, nor remount anything writable.
    A namespace it creates itself gets these mounts locked together, so it cannot uncover them there either.
    非 root：进入第二个用户命名空间并成为非 root 用户，exec 之后内核不持有任何权限，无法卸载或重新挂载。"""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x10000000) != 0:  # CLONE_NEWUSER
        error = ctypes.get_errno()
        raise OSError(error, f"unshare(CLONE_NEWUSER): {os.strerror(error)}")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} 0 1\n")
    Path("/proc/self/gid_map").write_text(f"{uid} 0 1\n")
    libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS


def main(argv: list[str]) -> None:
    spec_path, separator, *kernel = argv
    if separator != "--" or not kernel:
        raise SystemExit("usage: python -P -m course.kernel.sandbox SPEC.json -- KERNEL ARGV")
    raw = json.loads(Path(spec_path).read_text())
    spec = SandboxSpec(**{**raw, "limits": Limits(**raw["limits"])})
    enter_sandbox(spec)
    os.execv(kernel[0], kernel)


if __name__ == "__main__":
    main(sys.argv[1:])
