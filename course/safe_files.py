"""Reading what a learner wrote without following a link and within a size limit.
读取学生写的文件：不跟随链接，有大小上限。
"""

import os
import stat
from pathlib import Path


def first_link(path: Path, within: Path) -> Path | None:
    """The first link among ``path`` and its folders below ``within`` (``within`` itself is trusted), or None.

    返回 path 及其在 within 之下的各级目录中的第一个链接；没有则返回 None。
    """
    path, within = Path(path), Path(within)
    for candidate in (path, *path.parents):
        if candidate == within or within not in candidate.parents:
            break
        if candidate.is_symlink():
            return candidate
    return None


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path`` if it is a regular file, not a link, of at most ``max_bytes``; else ``OSError``.

    The check and the read are one ``open`` (``O_NOFOLLOW``), so the file cannot be swapped for a
    link in between. 只读取普通文件（不跟随链接，且检查与读取是同一次 open）。
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path} is not a regular file / 不是普通文件")
        if info.st_size > max_bytes:
            raise OSError(f"{path} is over {max_bytes} bytes / 超过 {max_bytes} 字节")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(max_bytes + 1)[:max_bytes]
    finally:
        os.close(fd)
