"""Every server of the class (learners' and the formgrader service) / 班级的每个服务器（学生的与 formgrader 服务）。

JupyterHub puts this file's folder on ``JUPYTER_CONFIG_PATH``. Kernels talk over Unix sockets beside their
connection files in the account's private runtime folder, not over TCP: a random loopback port can be taken
by another process between being picked and being bound, and the kernel then dies before it answers
("Kernel died before replying to kernel_info"), which a class of thirty meets.
内核通过本账户私有运行目录中、连接文件旁的 Unix 套接字通信，而非 TCP：随机选中的回环端口可能在绑定之前被其他进程占用，内核随即退出。
"""

c = get_config()  # noqa: F821 — injected by traitlets / 由 traitlets 注入

c.KernelManager.transport = "ipc"
