"""How a kernel starts is chosen in one place (course.kernel.launch) / 内核的启动方式在一处决定。"""

import json

import pytest

from course.kernel import launch
from course.kernel.sandbox import Limits, SandboxSpec

SPEC = SandboxSpec("/run/x/0", 61000, [], [], [], Limits())


@pytest.mark.parametrize(
    ("sandboxed", "zygote", "mode", "expected"),
    [(False, None, "root", launch.Direct), (True, None, "root", launch.Unshare), (True, None, "userns", launch.Unshare),
     (True, "/run/z.sock", "root", launch.Zygote), (False, "/run/z.sock", "userns", launch.Zygote)],
    ids=["plain", "unshare-root", "unshare-userns", "zygote-root", "zygote-unsandboxed"],
)
def test_one_launcher_for_each_way(sandboxed, zygote, mode, expected, monkeypatch, tmp_path):
    """The launcher fits what was asked, and its command says it: unshare's namespaces, the zygote's client, or the
    kernel alone / 启动器与请求相符，其命令也如此"""
    monkeypatch.setattr(launch, "sandbox_mode", lambda: mode)
    chosen = launch.choose_launcher(sandboxed, zygote)
    assert type(chosen) is expected
    argv = chosen.argv(SPEC, tmp_path / "spec.json")
    if expected is launch.Direct:
        assert argv == list(launch.IPYKERNEL) and not (tmp_path / "spec.json").exists()
    elif expected is launch.Unshare:
        assert argv[0] == "unshare" and ("--user" in argv) == (mode == "userns") and "course.kernel.sandbox" in argv
        assert json.loads((tmp_path / "spec.json").read_text())["rootless"] == (mode == "userns")
    else:
        written = json.loads((tmp_path / "spec.json").read_text())
        assert argv[-3:-1] == [zygote, str(tmp_path / "spec.json")] and "connect" in argv
        assert written["mode"] == (None if not sandboxed else "userns" if mode == "userns" else "root")


def test_the_kernels_language_is_an_argument_not_the_graders_environment(monkeypatch, tmp_path):
    """A kernel speaks the language it is given; the grader's own COURSE_LANG does not leak into it
    内核使用传给它的语言；评阅程序自身的 COURSE_LANG 不会泄入内核"""
    from course.kernel.sandbox import kernel_environment

    monkeypatch.setenv("COURSE_LANG", "en")
    assert kernel_environment(tmp_path, "zh")["COURSE_LANG"] == "zh"
    assert "COURSE_LANG" not in kernel_environment(tmp_path)
