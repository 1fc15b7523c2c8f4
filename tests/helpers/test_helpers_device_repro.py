"""helpers.device picks the device as documented; helpers.repro makes runs repeatable.
helpers.device 按文档选择设备；helpers.repro 让运行结果可重复。"""

import random

import numpy as np
import pytest
import torch

from helpers.device import try_gpu
from helpers.repro import seed_everything, set_print_options


def test_course_device_cpu_forces_the_cpu(monkeypatch):
    """COURSE_DEVICE=cpu wins even when CUDA is there / 即使有 CUDA，COURSE_DEVICE=cpu 也强制使用 CPU"""
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert try_gpu() == torch.device("cpu")


def test_cuda_is_preferred_when_available(monkeypatch):
    """Without COURSE_DEVICE, CUDA comes first / 未设置 COURSE_DEVICE 时优先使用 CUDA"""
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert try_gpu() == torch.device("cuda")


def test_cpu_is_the_fallback(monkeypatch):
    """No CUDA and no MPS: the CPU / 没有 CUDA 和 MPS 时使用 CPU"""
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert try_gpu() == torch.device("cpu")


def test_mps_comes_after_cuda(monkeypatch):
    """Apple's MPS when there is no CUDA / 没有 CUDA 时使用 Apple 的 MPS"""
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert try_gpu() == torch.device("mps")


@pytest.mark.parametrize(("value", "error"), [("gpu", ValueError), ("cuda", RuntimeError)])
def test_bad_course_device_is_explained(monkeypatch, value, error):
    """An unknown or unavailable COURSE_DEVICE is a clear bilingual error / 未知或不可用的 COURSE_DEVICE 给出清楚的双语错误"""
    monkeypatch.setenv("COURSE_DEVICE", value)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(error, match=r"COURSE_DEVICE.* / .*COURSE_DEVICE"):
        try_gpu()


def draws():
    return random.random(), float(np.random.randn()), float(torch.randn(1))


def test_seed_everything_repeats_every_generator():
    """The same seed gives the same numbers from Python, NumPy and torch / 相同种子得到相同的随机数"""
    seed_everything(7)
    first = draws()
    seed_everything(7)
    assert draws() == first
    seed_everything(8)
    assert draws() != first


@pytest.mark.parametrize("seed", [-1, 1.5, "0"])
def test_seed_everything_rejects_bad_seeds(seed):
    """A seed must be a non-negative int / 种子必须是非负整数"""
    with pytest.raises(ValueError, match="seed must be a non-negative int.* / seed 必须是非负整数"):
        seed_everything(seed)


def test_print_options_fix_the_precision():
    """Printed arrays and tensors use 4 decimals / 打印的数组与张量保留 4 位小数"""
    saved_np, saved_torch = np.get_printoptions(), torch._tensor_str.PRINT_OPTS.precision
    try:
        set_print_options()
        assert str(np.array([1 / 3])) == "[0.3333]"
        assert str(torch.tensor([1 / 3])) == "tensor([0.3333])"
    finally:
        np.set_printoptions(**saved_np)
        torch.set_printoptions(precision=saved_torch)
