"""Ending a class's process groups (the proxy, the hub and its services) / 结束班级的进程组（代理、hub 及其服务）。"""

import subprocess
import sys
import time

from course.server import hub, processes

STUBBORN = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('ready', flush=True)\ntime.sleep(600)"


def test_a_group_whose_processes_ended_is_not_waited_for():
    """A group leader that ended on SIGTERM but is not reaped yet (the proxy, a child of `course hub up` or of a test)
    is gone, not a process to wait 15 s for / 已因 SIGTERM 结束但尚未被回收的进程不算仍在运行，不必等待 15 秒"""
    leader = subprocess.Popen(["sleep", "600"], start_new_session=True)
    started = time.monotonic()
    hub.end_process_group(leader.pid)
    assert time.monotonic() - started < 3, f"waited {time.monotonic() - started:.1f} s for an ended group / 等待了已结束的进程组"
    assert processes.ended(leader.pid) and not processes.alive_in_group(leader.pid)  # not reaped yet, yet ended / 尚未回收，但已结束
    assert leader.wait(timeout=5) == -15


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace():
    """What ignores SIGTERM is killed once the grace has passed / 忽略 SIGTERM 的进程在宽限期后被强制结束"""
    stubborn = subprocess.Popen([sys.executable, "-c", STUBBORN], start_new_session=True, stdout=subprocess.PIPE, text=True)
    assert stubborn.stdout.readline() == "ready\n"
    started = time.monotonic()
    hub.end_process_group(stubborn.pid, grace=1)
    assert 1 <= time.monotonic() - started < 4
    assert stubborn.wait(timeout=5) == -9
