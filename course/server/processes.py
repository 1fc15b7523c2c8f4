"""Processes as /proc shows them: which have ended, which of a process group still run.
/proc 中的进程：哪些已结束，某进程组中哪些仍在运行。

An ended process stays in /proc (state Z) until its parent reads its status: it no longer runs, and waiting for it
to disappear would wait on the parent, not on the process.
已结束的进程在父进程读取其状态之前仍留在 /proc 中（状态 Z）：它已不再运行，等它消失其实是在等父进程。
"""

from pathlib import Path


def _stat(pid: int | str) -> tuple[str, int] | None:
    """(state letter, process group) of ``pid``, or None once it is gone / 进程的状态字母与进程组；已不在时为 None"""
    try:
        state, _, group = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[:3]
        return state, int(group)
    except (OSError, ValueError):
        return None


def ended(pid: int) -> bool:
    """``pid`` is gone, or ended and waits for its parent / 进程已不在，或已结束、等待父进程回收"""
    stat = _stat(pid)
    return stat is None or stat[0] == "Z"


def alive_in_group(group: int) -> bool:
    """Whether a process of ``group`` still runs / 进程组中是否仍有进程在运行"""
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and (stat := _stat(proc.name)) is not None and stat[1] == group and stat[0] != "Z":
            return True
    return False
