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
# pytest-xdist workers: one per core and one more, which runs while the others wait on a browser, a server or a
# kernel starting / pytest-xdist 进程数：每核一个再加一个，在其他进程等待浏览器、服务器或内核启动时运行
JOBS ?= $(shell echo $$(( $$(nproc) + 1 )))

.PHONY: lab test test-fast release setup clean hub hub-env system-packages

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

# What the tests need from the system (Chromium, PostgreSQL, Debian's python3.11, npm, …), from one table:
# installed when this runs as root with apt-get, otherwise listed; tests that need a missing one skip, naming it.
# 测试需要的系统软件包（Chromium、PostgreSQL、Debian 的 python3.11、npm 等）来自同一张表：以 root 运行且有 apt-get 时安装，
# 否则列出；需要缺失软件包的测试会说明原因并跳过。
SYSTEM_PACKAGES := tests/system_packages.py

# As root the suite also runs a real class server (tests/server/test_hub.py); its environment is set-up, built once here
# 以 root 运行时测试还会启动真实的课堂服务器；其环境属于安装步骤，在此建立一次
HUB_SETUP := $(if $(filter 0,$(shell id -u)),hub-env)

test: system-packages $(INSTALLED) $(HUB_SETUP)
	$(BIN)/python -m pytest -n $(JOBS) $(PYTEST_ARGS)

# The unit tier alone (no lesson, kernel, server or browser): a minute, for while you work; `make test` runs everything, as CI
# 只运行单元测试（不运行课程、内核、服务器与浏览器）：约一分钟，供开发时使用；make test 运行全部，与 CI 相同
test-fast: $(INSTALLED)
	$(BIN)/python -m pytest tests -m "not content and not system and not browser and not root" $(PYTEST_ARGS)

system-packages:
	@$(PYTHON) $(SYSTEM_PACKAGES) install

# The class environment in /opt/course/env (about two minutes the first time); without Debian's python3.11 or npm
# the class-server tests skip, so it is not built / 课堂环境（首次约两分钟）；缺少 Debian 的 python3.11 或 npm 时相关测试跳过，不建立
hub-env: $(INSTALLED)
	@if $(PYTHON) $(SYSTEM_PACKAGES) have python3.11 python3.11-venv npm; then $(BIN)/course hub env; \
	else echo "no class environment: the class-server tests will be skipped / 不建立课堂环境：课堂服务器测试将跳过"; fi

# A class on this server (root): accounts from ARGS="--roster roster.csv", JupyterHub on 127.0.0.1:8000
# 在本服务器上开课（root）：ARGS="--roster roster.csv" 建立账户，JupyterHub 监听 127.0.0.1:8000
hub: $(INSTALLED)
	$(BIN)/course hub up $(ARGS)

# Regenerate notebooks/ from solutions/ / 由 solutions/ 重新生成 notebooks/
release: $(INSTALLED)
	$(BIN)/course release

clean:
	rm -rf $(VENV) *.egg-info gradebook.db artifacts
