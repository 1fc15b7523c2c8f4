"""Scratch folders: where kernels work, made and named in this module only / 临时目录：内核工作的地方，只在本模块中创建与命名。

A batch (``course grade``) or a check (``course check``) works under one base folder: in ``/run`` when the
grader is root (a tmpfs no learner's kernel sees), else the system's temporary folder. Under it, one folder per
submission, one per lesson's reference, the zygote's home and the shared font cache. Inside each kernel's folder,
its own temporary, matplotlib, IPython and runtime folders and its connection file.
一批评阅或一次检查使用一个基础目录（root 时在 /run 中）；其下为每份提交、每课参考答案、父进程的家目录与字体缓存各一个目录。
"""

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class KernelFolder:
    """One kernel's working folder and what lies in it / 一个内核的工作目录及其内容。"""

    path: Path

    @property
    def tmp(self) -> Path:
        return self.path / "tmp"

    @property
    def matplotlib(self) -> Path:
        return self.path / ".matplotlib"

    @property
    def ipython(self) -> Path:
        return self.path / ".ipython"

    @property
    def runtime(self) -> Path:
        return self.path / ".runtime"

    @property
    def sockets(self) -> Path:
        """The prefix of the kernel's IPC sockets / 内核 IPC 套接字的前缀"""
        return self.path / "k"

    @property
    def connection_file(self) -> Path:
        return self.path / "connection.json"

    @property
    def kernelspec(self) -> Path:
        """The kernel spec the runner writes: beside the folder, not in it, where the kernel may write
        运行器写出的内核描述：在目录旁边而非其中（内核可以写入自己的目录）"""
        return self.path.parent / f"{self.path.name}-kernelspec"

    def remove(self) -> None:
        """The folder and its kernel spec / 删除目录及其内核描述"""
        shutil.rmtree(self.path, ignore_errors=True)
        shutil.rmtree(self.kernelspec, ignore_errors=True)

    def private_folders(self) -> tuple[Path, ...]:
        """Made before the kernel starts, owned by its user / 内核启动前创建、归其用户所有的目录"""
        return (self.tmp, self.matplotlib, self.ipython, self.runtime)


@dataclass(frozen=True)
class ScratchLayout:
    """The folders of one batch or check, under ``base`` / 一批评阅或一次检查的各个目录。"""

    base: Path

    @classmethod
    def create(cls, prefix: str, *, kernels_as_others: bool) -> "ScratchLayout":
        """A new base folder, private (700). With ``kernels_as_others`` (``course grade``: each kernel as a uid of its
        own), in ``/run`` when root, and others may pass through to their own folders (711) but not list it
        新的私有基础目录（700）；内核以其他 uid 运行时（course grade），root 下放在 /run，他人可穿过（711）但不可列出"""
        on_tmpfs = kernels_as_others and os.geteuid() == 0 and os.access("/run", os.W_OK)
        base = Path(tempfile.mkdtemp(prefix=prefix, dir="/run" if on_tmpfs else None))
        base.chmod(0o711 if kernels_as_others else 0o700)
        return cls(base)

    def submission(self, index: int) -> Path:
        return self.base / str(index)

    def reference(self, lesson: str) -> Path:
        return self.base / f"reference-{lesson}"

    @property
    def zygote_home(self) -> Path:
        return self.base / "zygote"

    @property
    def matplotlib_cache(self) -> Path:
        """Built once, copied into each kernel's folder / 只构建一次，复制到每个内核的目录"""
        return self.base / "matplotlib-cache"

    def remove(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)
