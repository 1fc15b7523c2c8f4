"""How a kernel starts, chosen in one place: as the grader (no sandbox), in namespaces of its own by ``unshare`` (as
root, or in a user namespace), or forked from a pre-imported parent that enters the same sandbox (the zygote).
As JupyterHub's spawners: one small class per way, ``choose_launcher`` picks one.
内核如何启动，在一处决定：以评阅者身份（无沙箱）、由 unshare 进入独立的命名空间（root 或用户命名空间）、或由预导入的父进程派生。
"""

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from course.kernel.sandbox import ROOT_UNSHARE, USER_UNSHARE, SandboxSpec, sandbox_mode

IPYKERNEL = (sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}")


@dataclass(frozen=True)
class Direct:
    """No sandbox: the kernel runs as the grader (a laptop without user namespaces, or ``course check``)
    无沙箱：内核以评阅者身份运行"""

    kernel: tuple[str, ...] = IPYKERNEL

    def argv(self, spec: SandboxSpec, spec_path: Path) -> list[str]:
        return list(self.kernel)


@dataclass(frozen=True)
class Unshare:
    """The kernel in namespaces of its own (``unshare``), then ``python -P -m course.kernel.sandbox`` builds its view
    内核进入独立的命名空间，再由 course.kernel.sandbox 建立它看到的文件系统"""

    rootless: bool
    kernel: tuple[str, ...] = IPYKERNEL

    def argv(self, spec: SandboxSpec, spec_path: Path) -> list[str]:
        spec_path.write_text(json.dumps(asdict(spec) | {"rootless": self.rootless}))
        unshare = USER_UNSHARE if self.rootless else ROOT_UNSHARE
        return [*unshare, sys.executable, "-P", "-m", "course.kernel.sandbox", str(spec_path), "--", *self.kernel]


@dataclass(frozen=True)
class Zygote:
    """Forked from the pre-imported parent listening at ``socket``, which enters the sandbox of ``mode`` there; the
    client needs only the standard library (no site, no environment, no working folder on the path)
    由监听 socket 的预导入父进程派生，并在那里进入沙箱；客户端只需要标准库"""

    socket: str
    mode: str | None  # "root", "userns" or None (no sandbox) / 沙箱方式

    def argv(self, spec: SandboxSpec, spec_path: Path) -> list[str]:
        spec_path.write_text(json.dumps({"mode": self.mode, "spec": asdict(spec)}))
        client = Path(__file__).with_name("zygote.py")
        return [sys.executable, "-I", "-S", str(client), "connect", self.socket, str(spec_path), "{connection_file}"]


Launcher = Direct | Unshare | Zygote


def choose_launcher(sandboxed: bool, zygote: str | None = None, kernel: tuple[str, ...] = IPYKERNEL) -> Launcher:
    """The one place the way is decided: ``sandboxed`` (ask only if ``sandbox_available()``), forked when a zygote
    socket is given / 唯一决定启动方式的地方"""
    rootless = sandboxed and sandbox_mode() != "root"
    if zygote is not None:
        return Zygote(zygote, None if not sandboxed else "userns" if rootless else "root")
    return Unshare(rootless, kernel) if sandboxed else Direct(kernel)
