"""Each learner's server in a control group of the class, its limits enforced (imported by JupyterHub only).
每位学生的服务器运行在班级的控制组中并受其限制（只由 JupyterHub 导入）。

``LocalProcessSpawner`` as it is, but the server joins the learner's group (``course.server.class_limits``)
before it runs, so its kernels and anything it starts are held by ``mem_limit`` / ``cpu_limit``; when the
server stops, every process left of that learner ends with it (their group, or every process of their
account where the machine has no control groups to use).
与 LocalProcessSpawner 相同，但服务器在运行前加入学生的控制组；服务器停止时，该学生剩下的所有进程随之结束。
"""

import contextlib
import os
import subprocess

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Unicode

from course.server import class_limits


class ClassSpawner(LocalProcessSpawner):
    """A learner's server held by their class's control group / 受班级控制组约束的学生服务器"""

    class_name = Unicode("course", config=True, help="the class (``course hub up --name``) / 班级名")

    @property
    def groups(self) -> class_limits.ClassGroups | None:
        return class_limits.detect(self.class_name)

    def make_preexec_fn(self, name):
        drop_privileges = super().make_preexec_fn(name)
        groups = self.groups
        if groups is not None:
            try:
                groups.create(name, int(self.mem_limit), float(self.cpu_limit))
            except OSError as error:  # the server still starts, its limits unenforced / 服务器照常启动，只是不受限制
                self.log.warning("no control group for %s: %s / 无法为 %s 建立控制组", name, error, name)
                groups = None

        def preexec():
            # In the child, as root, before it becomes the learner: it and all it starts stay in the group
            # 在子进程中、以 root 身份、切换为学生之前：它及其启动的一切都留在该组中
            if groups is not None:
                with contextlib.suppress(OSError):
                    groups.join(name, os.getpid())
            drop_privileges()

        return preexec

    async def stop(self, now=False):
        await super().stop(now=now)
        groups = self.groups
        if groups is not None:
            groups.end(self.user.name)
        else:  # no groups: every process of the account / 没有控制组：结束该账户的所有进程
            subprocess.run(["pkill", "-KILL", "-u", self.user.name], capture_output=True)
