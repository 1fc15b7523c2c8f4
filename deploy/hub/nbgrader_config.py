"""nbgrader on the class server: the shared exchange / 课堂服务器上的 nbgrader：共享的交换目录。

Every learner's server and the formgrader service read this file (JupyterHub puts its folder on
``JUPYTER_CONFIG_PATH``). The course folder's own ``nbgrader_config.py`` keeps the course's settings
and leaves the exchange to this file where ``COURSE_EXCHANGE`` is set.
每位学生的服务器和 formgrader 服务都读取本文件；课程目录中的 nbgrader_config.py 在设置了 COURSE_EXCHANGE 时不再设置交换目录。
"""

import os
import uuid

from jupyter_core.paths import jupyter_runtime_dir

c = get_config()  # noqa: F821 — injected by traitlets / 由 traitlets 注入

c.CourseDirectory.course_id = os.environ.get("COURSE_ID", "pytorch-bilingual")
# nbgrader's documented multi-user exchange: a folder every account may write (sticky: none removes another's)
# nbgrader 文档中的多用户交换目录：所有账户可写（粘滞位：不能删除别人的文件）
c.Exchange.root = os.environ.get("COURSE_EXCHANGE", "/srv/course/exchange")

# Anyone may write to the exchange under any id (`nbgrader submit --student`): collect only what the
# student they name owns (nbgrader's own collect only warns) / 只收集学生本人拥有的提交（nbgrader 自带的只会警告）
c.ExchangeFactory.collect = "course.server.collect.OwnedSubmissionsCollect"
# A submission's folder writable by its owner only (nbgrader makes it 777) / 提交目录只有本人可写（nbgrader 设为 777）
c.ExchangeFactory.submit = "course.server.collect.PrivateSubmissionSubmit"

# Validate's kernel over Unix sockets in this account's private runtime folder, not TCP: a random loopback port
# can be taken by another process between being picked and being bound, and the kernel then dies before it
# answers ("Kernel died before replying to kernel_info") / Validate 的内核使用本账户私有运行目录中的 Unix 套接字而非 TCP：
# 随机选中的回环端口可能在绑定之前被其他进程占用，内核随即退出
c.KernelManager.transport = "ipc"
c.KernelManager.ip = os.path.join(jupyter_runtime_dir(), f"validate-{uuid.uuid4().hex}-ipc")

# Validate and nbgrader's own autograde wait up to 30 s, not nbclient's 4, for a kernel to say it is idle after a cell:
# on a busy server that word comes late, and nbgrader turns the wait into "an error running the validate command"
# Validate 与 nbgrader 自带的 autograde 在每个单元格后最多等待 30 秒（而非 nbclient 的 4 秒）让内核报告空闲：
# 服务器繁忙时这条消息来得晚，nbgrader 会把超时变成“运行验证命令时出错”
c.Execute.iopub_timeout = 30
