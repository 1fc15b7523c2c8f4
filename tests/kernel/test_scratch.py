"""Scratch folders: private unless kernels of other uids must reach theirs (course.kernel.scratch)
临时目录：除非其他 uid 的内核需要进入各自的目录，否则是私有的。"""

import stat

import pytest

from course.kernel.scratch import ScratchLayout


@pytest.mark.parametrize(("kernels_as_others", "mode"), [(False, 0o700), (True, 0o711)], ids=["check", "grade"])
def test_a_scratch_base_opens_only_as_far_as_its_kernels_need(kernels_as_others, mode):
    """`course check` on a shared server: no one else may enter the learner's scratch (their notebook's copy);
    `course grade`: each kernel's uid may pass through to its own folder, no one may list the base
    共享服务器上的 course check：他人不能进入学生的临时目录；course grade：各内核的 uid 只能穿过基础目录进入自己的目录"""
    scratch = ScratchLayout.create("scratch-test-", kernels_as_others=kernels_as_others)
    try:
        assert stat.S_IMODE(scratch.base.stat().st_mode) == mode
        assert kernels_as_others or not scratch.base.is_relative_to("/run")
    finally:
        scratch.remove()
    assert not scratch.base.exists()
