# The two commands of the README / README 中的两个命令:
#   make lab    set up (first time) and open JupyterLab on the course / 安装（首次）并在课程上打开 JupyterLab
#   make test   set up (first time) and run the whole test suite     / 安装（首次）并运行全部测试
#   make hub    (root) a class on this server: JupyterHub with the course / （root）在本服务器上开课：JupyterHub
# Extra JupyterLab options / 额外的 JupyterLab 参数: make lab ARGS="--no-browser --port=8899"

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
ARGS ?=
# The environment's tools first on PATH, as if activated (nbgrader calls `alembic` by name);
# the Python side of the same rule is course.layout.CourseLayout.tools_on_path.
# 让环境中的工具位于 PATH 最前面，相当于激活了环境（nbgrader 按名称调用 `alembic`）；Python 中的同一规则见 CourseLayout.tools_on_path。
export PATH := $(CURDIR)/$(BIN):$(PATH)
PYTEST_ARGS ?=
# pytest-xdist workers: one per core / 每个 CPU 核心一个 pytest-xdist 进程
JOBS ?= auto

.PHONY: lab test release setup clean hub hub-env

setup: $(INSTALLED)

# JupyterLab settings for a class: no news pop-ups, no update checks (no network calls at start-up).
# 课堂用的 JupyterLab 设置：不弹出新闻、不检查更新（启动时不访问网络）。
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

# Re-run the install whenever the pins, the project metadata or this file change.
# 固定版本、项目元数据或本文件变化时重新安装。
$(INSTALLED): requirements.txt pyproject.toml Makefile deploy/jupyterlab/overrides.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@mkdir -p $(dir $(LAB_OVERRIDES))
	@cp deploy/jupyterlab/overrides.json $(LAB_OVERRIDES)
	@touch $@

# JupyterLab refuses root unless told; containers and CI often are root / 容器与 CI 常以 root 运行
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(INSTALLED)
	@mkdir -p exchange
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	  $(ROOT_FLAG) $(ARGS)

# As root the suite also runs a real class server (tests/test_hub.py); its environment is set-up, built once here
# 以 root 运行时测试还会启动真实的课堂服务器；其环境属于安装步骤，在此建立一次
HUB_SETUP := $(if $(filter 0,$(shell id -u)),hub-env)

test: $(INSTALLED) $(HUB_SETUP)
	$(BIN)/python -m pytest -n $(JOBS) $(PYTEST_ARGS)

# The class environment in /opt/course/env (about two minutes the first time) / 课堂环境（首次约两分钟）
hub-env: $(INSTALLED)
	$(BIN)/course hub env

# A class on this server (root): accounts from ARGS="--roster roster.csv", JupyterHub on 127.0.0.1:8000
# 在本服务器上开课（root）：ARGS="--roster roster.csv" 建立账户，JupyterHub 监听 127.0.0.1:8000
hub: $(INSTALLED)
	$(BIN)/course hub up $(ARGS)

# Regenerate notebooks/ from solutions/ / 由 solutions/ 重新生成 notebooks/
release: $(INSTALLED)
	$(BIN)/course release

clean:
	rm -rf $(VENV) *.egg-info gradebook.db artifacts
