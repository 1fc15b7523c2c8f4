"""Reproducible runs and printouts / 可复现的运行与输出。Introduced in lesson 01."""

import random

import numpy as np
import torch

# Printed arrays and tensors use this many decimals in every lesson / 各课打印数组与张量时保留的小数位数
PRINT_PRECISION = 4


def seed_everything(seed: int = 0) -> None:
    """Seed Python's, NumPy's and torch's (CPU and CUDA) random generators. Introduced in lesson 01.

    为 Python、NumPy 和 torch（CPU 与 CUDA）的随机数生成器设置种子。
    """
    if type(seed) is not int or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r} / seed 必须是非负整数，实际为 {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device / 同时为所有 CUDA 设备设置种子


def set_print_options(precision: int = PRINT_PRECISION) -> None:
    """Fixed-precision printing of arrays and tensors, so outputs match run to run. Introduced in lesson 01.

    固定数组与张量的打印精度，使每次运行的输出一致。
    """
    np.set_printoptions(precision=precision, suppress=True)
    torch.set_printoptions(precision=precision, sci_mode=False)
