"""Test-only: throwaway class servers and free ports, for tests/ and benchmarks/; no ``course`` command uses them
仅供测试：临时课堂服务器与空闲端口，供 tests/ 与 benchmarks/ 使用；course 命令不使用它们。
"""

import contextlib
import random
import secrets
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

from course.server.hub import HubError, Site, build_environment, course_id, prepare, require_root, take_down


def free_port() -> int:
    """A free loopback port for a throwaway server, from below the kernel's ephemeral range: a port there (what
    binding port 0 gives) is also what outgoing connections draw, so another process can take it between the
    pick and the server's bind / 临时服务器的空闲端口，取自内核临时端口范围之下：该范围内的端口也供出站连接使用，可能在绑定前被占用"""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    pick = random.SystemRandom()
    for _ in range(1000):
        port = pick.randrange(10000, max(10001, low))
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise HubError(f"no free port below {low} / {low} 以下没有空闲端口")


@contextlib.contextmanager
def throwaway_site(root: Path, env: Path = Site.env, **settings) -> Iterator[Site]:
    """A class of its own for a check (the tests, ``benchmarks/hub_load.py``): a random name, folders under
    ``/srv``, free loopback ports; afterwards its accounts (every member of its groups and its grader),
    their processes, its groups and folders are gone. / 供检查使用的临时班级，结束后删除其账户、进程、组与目录。"""
    require_root()
    Path("/srv").mkdir(exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="course-hub-check-", dir="/srv"))
    base.chmod(0o755)
    site = Site(home=base / "home", name=f"ct{secrets.token_hex(3)}", course_id=course_id(root), env=env,
                exchange=base / "exchange", port=free_port(), hub_port=free_port(), proxy_api_port=free_port(),
                formgrader_port=free_port(), **settings)  # fmt: skip
    try:
        build_environment(root, site.env, say=lambda line: None)
        prepare(site, root, say=lambda line: None)
        yield site
    finally:
        take_down(site, archive_to=None, say=lambda line: None)
        shutil.rmtree(base, ignore_errors=True)
