"""Where tensors live / 张量放在哪个设备上。Introduced in lesson 02."""

import os

import torch

_KNOWN_DEVICES = ("cpu", "cuda", "mps")


def try_gpu() -> torch.device:
    """The first CUDA device, else Apple's MPS, else the CPU. Introduced in lesson 02.

    ``COURSE_DEVICE=cpu`` forces the CPU (CI does); ``cuda`` or ``mps`` insist on that device.
    第一个 CUDA 设备，否则 Apple 的 MPS，否则 CPU。环境变量 COURSE_DEVICE=cpu 强制使用 CPU（CI 如此）。
    """
    forced = os.environ.get("COURSE_DEVICE", "").strip().lower()
    if forced:
        if forced not in _KNOWN_DEVICES:
            raise ValueError(
                f"COURSE_DEVICE={forced!r} is not one of {', '.join(_KNOWN_DEVICES)} / "
                f"COURSE_DEVICE={forced!r} 不是 {'、'.join(_KNOWN_DEVICES)} 之一"
            )
        if forced == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(
                "COURSE_DEVICE=cuda, but torch sees no CUDA device / "
                "COURSE_DEVICE=cuda，但 torch 找不到 CUDA 设备"
            )
        if forced == "mps" and not _mps_available():
            raise RuntimeError(
                "COURSE_DEVICE=mps, but torch sees no MPS device / COURSE_DEVICE=mps，但 torch 找不到 MPS 设备"
            )
        return torch.device(forced)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())
