"""nbgrader configuration seen from assignments/, where the Assignment List fetches lessons.
从 assignments/（作业列表下载课程的目录）看到的 nbgrader 配置。

nbgrader reads the configuration again in the assignment folder; this one is the course's own.
nbgrader 会在作业目录中重新读取配置；这里沿用课程自己的配置。
"""

load_subconfig("../nbgrader_config.py")  # noqa: F821 — injected by traitlets / 由 traitlets 注入
