"""`make lab` serves the course with nbgrader's lab extension, ready for a class / `make lab` 提供带 nbgrader 扩展的课程。"""

import pytest
from lab_server import TOKEN, api, running_lab
from lesson_cells import NOTEBOOKS, ROOT, lesson_notebooks

from course.server.testing import free_port


@pytest.fixture(scope="module")
def lab_url():
    """`make lab` with extra options, exactly as the README says / 与 README 所写完全相同的 `make lab` 用法"""
    port = free_port()
    args = f"--no-browser --port={port} --ServerApp.ip=127.0.0.1 --IdentityProvider.token={TOKEN}"
    with running_lab(["make", "--no-print-directory", "lab", f"ARGS={args}"], ROOT, port) as base:
        yield base


def test_lab_serves_every_student_notebook(lab_url):
    """Each lesson's student notebook is served / 每课的学生版笔记本都能打开"""
    for notebook in lesson_notebooks(NOTEBOOKS):
        model = api(lab_url, f"/api/contents/{notebook.relative_to(ROOT).as_posix()}")
        assert model["type"] == "notebook" and model["content"]["cells"]


def test_nbgrader_lab_extension_is_enabled(lab_url):
    """nbgrader's toolbar and menus load in JupyterLab / nbgrader 的工具栏与菜单在 JupyterLab 中加载"""
    nbgrader = [e for e in api(lab_url, "/lab/api/extensions") if "nbgrader" in e["name"]]
    assert nbgrader and all(e["enabled"] and e.get("status", "ok") == "ok" for e in nbgrader), nbgrader


def test_nbgrader_formgrader_answers(lab_url):
    """nbgrader's formgrader page responds / nbgrader 的评分器页面能够响应"""
    import urllib.request

    with urllib.request.urlopen(f"{lab_url}/formgrader?token={TOKEN}", timeout=10) as response:
        assert response.status == 200


def test_chinese_interface_is_installed(lab_url):
    """The Simplified-Chinese language pack is available / 简体中文语言包可用"""
    languages = api(lab_url, "/lab/api/translations")["data"]
    assert "zh_CN" in languages, languages


def test_no_news_or_update_checks(lab_url):
    """News pop-ups and update checks are off for a class / 课堂环境关闭新闻弹窗与更新检查"""
    setting = api(lab_url, "/lab/api/settings/@jupyterlab/apputils-extension:notification")
    # overrides.json changes the defaults; a learner's own choice would be in "settings" / overrides.json 修改的是默认值
    effective = {k: setting["settings"].get(k, p.get("default")) for k, p in setting["schema"]["properties"].items()}
    assert effective["fetchNews"] == "false" and effective["checkForUpdates"] is False, effective


def test_assignment_list_uses_the_local_exchange(lab_url):
    """The Assignment List answers from the course's local exchange / 作业列表使用课程的本地交换目录"""
    (ROOT / "exchange").mkdir(exist_ok=True)
    reply = api(lab_url, "/assignments?course_id=pytorch-bilingual")
    assert reply["success"], reply
    assert (ROOT / "exchange").is_dir()
