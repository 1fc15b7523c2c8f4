"""No channel between two kernels of one batch: sandboxed as root, started directly or forked from the zygote; and the
same probes do find each other unsandboxed, so finding nothing means something (tests/kernel_channels.py).
同一批次的两个内核之间没有任何通道（以 root 建立沙箱，直接启动或由父进程派生）；不带沙箱时同样的探测能互相找到，所以一无所获才有意义。

The rootless modes (a non-root grader, user namespaces) run in tests/kernel/test_sandbox_rootless.py, as another user.
"""

import pytest
from kernel_channels import assert_no_channel, two_kernels
from system_packages import needs

from course.kernel.sandbox import is_root


@pytest.mark.root
@pytest.mark.skipif(not is_root(), reason="the root sandbox needs root; tests/kernel/test_sandbox_rootless.py covers the rest / root 沙箱需要 root")
@needs("util-linux", "mount")
@pytest.mark.parametrize("mode", ["sandboxed", "sandboxed-zygote"])
def test_two_sandboxed_kernels_share_no_channel(mode):
    """SysV and POSIX IPC, abstract and TCP sockets, shared folders, the other's scratch folder, /proc and signals: nothing
    System V 与 POSIX IPC、抽象与 TCP 套接字、共享目录、对方的临时目录、/proc 与信号：全都不通"""
    assert_no_channel(two_kernels(mode))


def test_unsandboxed_kernels_do_find_each_other():
    """The same probes without a sandbox (a laptop, with course grade's warning): the reader finds the publisher
    不带沙箱时（如笔记本电脑，course grade 会警告）同样的探测能找到发布者"""
    reports = two_kernels("unsandboxed")
    found = set(reports["reader"])
    assert {"sysv shared memory", "sysv semaphore", "posix shared memory", "abstract socket", "file in /tmp", "proc", "signal"} <= found, found
    assert "SIGUSR1" in reports["publisher"]["received"]
