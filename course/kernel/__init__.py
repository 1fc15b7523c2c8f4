"""Kernels: how a notebook's code runs, apart from the grader / 内核：笔记本代码如何在评阅程序之外运行。

    launch      how a kernel starts, chosen in one place (``choose_launcher``: Direct, Unshare, Zygote)
    runner      a fresh, possibly sandboxed kernel per notebook, run cell by cell (``run_cells``)
    scratch     the scratch folders kernels work in (``ScratchLayout``, ``KernelFolder``), made here only
    sandbox     the kernel's view of the file system, its user and limits; ``python -P -m course.kernel.sandbox``
    zygote      a pre-imported parent that forks each kernel into its sandbox; ``python -P -m course.kernel.zygote``
    injected    code sent into kernels as source (guard, observer, plain data); imports nothing of the course
"""
