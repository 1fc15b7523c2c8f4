"""One table of system packages: `make test` and `.ci/run` install from it, and without it the tests that need a
package skip naming it, and the run ends with the command that installs them (tests/system_packages.py).
系统软件包只有一张表：make test 与 .ci/run 据此安装；缺少时需要它的测试说明原因并跳过，结束时给出安装命令。
"""

import os
import subprocess
import sys
import textwrap

import system_packages
from lesson_cells import ROOT


def test_make_test_and_ci_install_from_the_same_script():
    """`make test` and `.ci/run` both run the one installer; no package list of their own / 二者调用同一个安装脚本"""
    planned = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    assert "tests/system_packages.py install" in planned, planned
    ci = (ROOT / ".ci" / "run").read_text()
    assert "tests/system_packages.py install" in ci and ci.rstrip().endswith("make test")
    assert "apt-get" not in ci and "apt-get install" not in (ROOT / "Makefile").read_text()


def test_without_root_it_says_what_is_missing_and_installs_nothing(monkeypatch, capsys):
    """Not root: each missing package named with its use, the install command, exit 0 / 非 root：列出缺少的软件包与安装命令"""
    monkeypatch.setitem(system_packages.PACKAGES, "procps", ("pkill for the hub test", lambda: False))
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    real_run = subprocess.run

    def run(command, *args, **kwargs):
        assert command[0] != "apt-get", "apt-get ran without root / 非 root 时运行了 apt-get"
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", run)
    assert system_packages.main(["install"]) == 0
    out = capsys.readouterr().out
    assert "procps: pkill for the hub test" in out and "apt-get install --no-install-recommends procps" in out
    assert system_packages.main(["have", "procps"]) == 1 and system_packages.main(["nonsense"]) == 2


def test_a_missing_package_skips_its_tests_by_name_and_the_run_ends_with_the_command(tmp_path):
    """A test that needs an absent package skips with one line naming it; the summary lists it and how to install it
    需要缺失软件包的测试以一行说明跳过；总结中列出它与安装命令"""
    (tmp_path / "test_needing.py").write_text(textwrap.dedent("""
        import system_packages
        system_packages.PACKAGES["npm"] = ("the proxy", lambda: False)
        pytestmark = system_packages.needs("npm", "procps")

        def test_one():
            pass

        def test_two():
            pass
    """))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "system_packages", "-p", "no:cacheprovider", "-rs", str(tmp_path)],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT / "tests")}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0 and "2 skipped" in done.stdout, done.stdout
    assert done.stdout.count("needs the system package npm (not installed") == 2 or "[2]" in done.stdout, done.stdout
    summary = done.stdout.split("skipped for missing system packages")[1]
    assert "npm: 2 test(s) skipped" in summary and "apt-get install --no-install-recommends npm" in summary
    assert "procps" not in summary  # present here, so not named / 本机已有，不列出
