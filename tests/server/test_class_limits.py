"""course.server.class_limits on a cgroup tree laid out like the kernel's, in a temporary folder (no root needed for most).
A real learner's limit is tested with a real class in tests/server/test_hub.py."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from course.server import class_limits
from course.server.class_limits import ClassGroups, detect, parse_bytes


def test_sizes_are_read_as_jupyterhub_writes_them():
    """2G, 512M, 1.5G and plain bytes; anything else is refused in both languages"""
    assert [parse_bytes(t) for t in ("2G", "512M", "1.5G", "1024", "64k", 7)] == [2 << 30, 512 << 20, 3 << 29, 1024, 64 << 10, 7]
    with pytest.raises(ValueError, match="not a size.* / "):
        parse_bytes("lots")


def v2_tree(root: Path) -> Path:
    root.mkdir()
    (root / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (root / "cgroup.subtree_control").write_text("")
    return root


def test_v2_a_learner_gets_a_group_with_memory_and_cpu_limits(tmp_path, monkeypatch):
    """v2: the class's group at the root, the controllers enabled for it, memory.max and cpu.max for the learner"""
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    groups = detect("fall", v2_tree(tmp_path / "cg"))
    assert groups == ClassGroups("fall", 2, {"unified": tmp_path / "cg" / "course-fall"})
    groups.create("ada", 1 << 30, 1.5)
    learner = tmp_path / "cg" / "course-fall" / "ada"
    assert (learner / "memory.max").read_text() == str(1 << 30)
    assert (learner / "cpu.max").read_text() == "150000 100000"
    assert (tmp_path / "cg" / "course-fall" / "cgroup.subtree_control").read_text() == "+memory +cpu"
    groups.join("ada", 4242)
    assert (learner / "cgroup.procs").read_text() == "4242"
    with pytest.raises(ValueError, match="not a login"):
        groups.create("../etc", 1, 1)


def test_v1_the_class_lies_below_this_processes_own_groups(tmp_path, monkeypatch):
    """v1: memory and cpu hierarchies, the class's group below this process's group in each"""
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    root = tmp_path / "cg"
    for controller in ("memory", "cpu"):
        (root / controller / "box").mkdir(parents=True)
        (root / controller / "cgroup.procs").write_text("")
    monkeypatch.setattr(class_limits, "_own_v1_path", lambda controller: "/box" if controller == "memory" else "/")
    groups = detect("fall", root)
    assert groups.version == 1
    assert groups.folders == {"memory": root / "memory" / "box" / "course-fall", "cpu": root / "cpu" / "course-fall"}
    groups.create("ada", 512 << 20, 1)
    assert (root / "memory" / "box" / "course-fall" / "ada" / "memory.limit_in_bytes").read_text() == str(512 << 20)
    assert (root / "cpu" / "course-fall" / "ada" / "cpu.cfs_quota_us").read_text() == "100000"


def test_nothing_to_use_says_so(tmp_path, monkeypatch):
    """Not root, or no memory/cpu controllers: None, and up says the limits are not enforced, in both languages"""
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert detect("fall", v2_tree(tmp_path / "cg")) is None
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    (tmp_path / "cg" / "cgroup.controllers").write_text("pids\n")
    assert detect("fall", tmp_path / "cg") is None
    said = class_limits.describe(None, "2G", 1)
    assert "NOT enforced" in said and "未被强制" in said


@pytest.mark.skipif(detect("probe") is None, reason="this machine offers no writable cgroup memory and cpu controllers")
def test_ending_a_group_ends_what_a_learner_detached():
    """A real group: a process that left its session and double-forked still ends with the group"""
    groups = detect(f"t{os.getpid()}")
    try:
        groups.create("ada", 256 << 20, 1)
        script = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(300)\n    os._exit(0)\ntime.sleep(300)\n"
        process = subprocess.Popen([sys.executable, "-c", script], preexec_fn=lambda: groups.join("ada", os.getpid()))
        for _ in range(100):
            if len(groups.processes("ada")) == 2:
                break
            subprocess.run(["sleep", "0.05"])
        assert len(groups.processes("ada")) == 2, groups.processes("ada")
        assert groups.end("ada")
        assert process.wait(timeout=10) != 0 and groups.processes("ada") == set()
    finally:
        groups.remove()
    assert not any(folder.exists() for folder in groups.folders.values())
