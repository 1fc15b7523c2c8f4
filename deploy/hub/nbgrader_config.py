"""nbgrader on the class server: the shared exchange / 课堂服务器上的 nbgrader：共享的交换目录。

Every learner's server and the formgrader service read this file (JupyterHub puts its folder on
``JUPYTER_CONFIG_PATH``). The course folder's own ``nbgrader_config.py`` keeps the course's settings
and leaves the exchange to this file where ``COURSE_EXCHANGE`` is set.
每位学生的服务器和 formgrader 服务都读取本文件；课程目录中的 nbgrader_config.py 在设置了 COURSE_EXCHANGE 时不再设置交换目录。
"""

import os

c = get_config()  # noqa: F821 — injected by traitlets / 由 traitlets 注入

c.CourseDirectory.course_id = os.environ.get("COURSE_ID", "pytorch-bilingual")
# nbgrader's documented multi-user exchange: a folder every account may write (sticky: none removes another's)
# nbgrader 文档中的多用户交换目录：所有账户可写（粘滞位：不能删除别人的文件）
c.Exchange.root = os.environ.get("COURSE_EXCHANGE", "/srv/nbgrader/exchange")

# Anyone may write to the exchange under any id (`nbgrader submit --student`): collect only what the
# student they name owns (nbgrader's own collect only warns) / 只收集学生本人拥有的提交（nbgrader 自带的只会警告）
c.ExchangeFactory.collect = "course.collect.OwnedSubmissionsCollect"
