"""A class's servers on one machine: spawn time, memory per server, the idle culler (as root; not in `make test`).
一台机器上一个班级的服务器：启动时间、每个服务器的内存、空闲回收（需 root；不属于 `make test`）。

    .venv/bin/python benchmarks/hub_load.py [--learners 30] [--active 3] [--idle-timeout 180]

A throwaway class (``course.server.testing.throwaway_site``: its own accounts, folders and ports, all removed
afterwards) gets ``--learners`` accounts through ``course hub roster``'s code; JupyterHub runs with the
class's configuration (``deploy/hub``). Every learner's server is requested at once through the hub's
REST API; the script reports how long each took to be ready, the memory each server's processes use
(PSS: shared pages counted once across the class), and the drop in the machine's available memory.
``--active`` learners then each run a lesson's set-up cell (torch, helpers) in a kernel of their
server, for the memory of a learner at work. Last, nobody touches anything and the script waits
for ``jupyterhub-idle-culler`` to stop every server.
"""

import argparse
import asyncio
import json
import statistics
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from course.layout import CourseLayout  # noqa: E402
from course.server import accounts, hub, testing  # noqa: E402

# The lesson whose set-up cell an active learner runs: torch.nn, the heaviest imports / 活跃学生运行其准备单元格的课
ACTIVE_LESSON = "06_nn_modules"
MB = 2**20


def mem_available() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no MemAvailable in /proc/meminfo")


def memory_of(uid: int) -> tuple[int, int]:
    """(PSS, RSS) in bytes of every process running as ``uid`` / 某 uid 所有进程的 PSS 与 RSS"""
    pss = rss = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if proc.stat().st_uid != uid:
                continue
            for line in (proc / "smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return pss, rss


def server_of(site: hub.Site, name: str) -> dict | None:
    return hub.api(site, f"/users/{name}").get("servers", {}).get("")


def spawn_all(site: hub.Site, names: list[str]) -> dict[str, float]:
    """Request every server at once; seconds from the request until each is ready / 同时请求所有服务器，返回各自就绪所需秒数"""
    hub.api(site, "/users", "POST", {"usernames": names})
    asked = {}

    def ask(name: str) -> None:
        asked[name] = time.monotonic()
        hub.api(site, f"/users/{name}/server", "POST", {}, timeout=120)

    # All at once: the hub answers a spawn request only when it is done or after 10 s / hub 在启动完成或 10 秒后才应答
    with ThreadPoolExecutor(len(names)) as pool:
        list(pool.map(ask, names))
    ready: dict[str, float] = {}
    deadline = time.monotonic() + 600
    while len(ready) < len(names):
        if time.monotonic() > deadline:
            raise RuntimeError(f"servers not ready after 600 s: {sorted(set(names) - set(ready))}")
        for name in names:
            if name not in ready and (server_of(site, name) or {}).get("ready"):
                ready[name] = time.monotonic() - asked[name]
        time.sleep(0.5)
    return ready


async def run_in_kernel(site: hub.Site, name: str, code: str) -> str:
    """Start a kernel in ``name``'s server with a short-lived token of theirs and run ``code``; its status.
    用该学生的短期令牌在其服务器中启动内核并运行代码。"""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    token = hub.api(site, f"/users/{name}/tokens", "POST",
                    {"scopes": [f"access:servers!user={name}"], "expires_in": 900, "note": "hub_load"})["token"]  # fmt: skip
    headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(f"{site.url}/user/{name}/api/kernels", data=b'{"name": "python3"}', headers=headers)
    with urllib.request.urlopen(request, timeout=120) as response:
        kernel = json.loads(response.read())["id"]
    ws_url = f"ws://{site.url.removeprefix('http://')}/user/{name}/api/kernels/{kernel}/channels"
    connection = await websocket_connect(HTTPRequest(ws_url, headers=headers))
    msg_id = uuid.uuid4().hex
    connection.write_message(json.dumps({
        "header": {"msg_id": msg_id, "username": name, "session": uuid.uuid4().hex, "msg_type": "execute_request",
                   "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {}, "allow_stdin": False},
    }))  # fmt: skip
    while True:
        message = json.loads(await asyncio.wait_for(connection.read_message(), 300))
        if message.get("parent_header", {}).get("msg_id") == msg_id and message["msg_type"] == "execute_reply":
            connection.close()
            return message["content"]["status"]


async def run_all(site: hub.Site, names: list[str], code: str) -> list[str]:
    return await asyncio.wait_for(asyncio.gather(*(run_in_kernel(site, n, code) for n in names)), 900)


def wait_until_culled(site: hub.Site, names: list[str], limit: float) -> float:
    start = time.monotonic()
    while any(server_of(site, name) for name in names):
        if time.monotonic() - start > limit:
            left = [n for n in names if server_of(site, n)]
            raise RuntimeError(f"the culler left {len(left)} servers running after {limit:.0f} s")
        time.sleep(2)
    return time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--active", type=int, default=3, help="learners who run a lesson's set-up cell")
    parser.add_argument("--idle-timeout", type=int, default=180, help="the culler's timeout for this check (class default 3600)")
    args = parser.parse_args()
    import pwd

    setup_cell = next(c.source for c in nbformat.read(CourseLayout(ROOT).release_notebook(ACTIVE_LESSON), as_version=4).cells
                      if c.cell_type == "code")  # fmt: skip
    with testing.throwaway_site(ROOT, idle_timeout=args.idle_timeout, cull_every=10) as site:
        names = [f"{site.name}-s{i:03d}" for i in range(1, args.learners + 1)]
        roster = site.home / "roster.csv"
        roster.write_text("student_id,name,email,role\n" + "".join(f"{n},Learner {n},,student\n" for n in names))
        accounts.add_roster(site, roster)
        uids = {n: pwd.getpwnam(n).pw_uid for n in names}
        log = ROOT / "artifacts" / "hub_load.log"
        log.parent.mkdir(exist_ok=True)
        with hub.running(site, log=log):
            time.sleep(3)  # the formgrader service and the culler start / 等待 formgrader 服务与回收程序启动
            before = mem_available()
            started = time.monotonic()
            ready = spawn_all(site, names)
            all_ready = time.monotonic() - started
            time.sleep(5)  # servers settle after their first request / 服务器在首个请求后稳定
            idle = {n: memory_of(uids[n]) for n in names}
            drop = before - mem_available()
            active = names[: args.active]
            kernels_before = {n: memory_of(uids[n])[0] for n in active}
            statuses = asyncio.run(run_all(site, active, setup_cell))
            at_work = {n: memory_of(uids[n]) for n in active}
            culled_after = wait_until_culled(site, names, args.idle_timeout + 300)

    spawn = sorted(ready.values())
    pss = [p for p, _ in idle.values()]
    rss = [r for _, r in idle.values()]
    print(f"learners: {args.learners} on {len(__import__('os').sched_getaffinity(0))} cores / 学生数")
    print(f"spawn to ready (s): median {statistics.median(spawn):.1f}, max {spawn[-1]:.1f}; all {args.learners} ready after {all_ready:.1f} s")
    print(f"idle server memory (MB): PSS median {statistics.median(pss) / MB:.0f} (sum {sum(pss) / MB:.0f}), "
          f"RSS median {statistics.median(rss) / MB:.0f}")  # fmt: skip
    print(f"MemAvailable drop for {args.learners} servers: {drop / MB:.0f} MB ({drop / MB / args.learners:.0f} MB per server)")
    for n in active:
        print(f"active learner {n}: set-up cell of {ACTIVE_LESSON} {statuses[active.index(n)]}; "
              f"server + kernel PSS {at_work[n][0] / MB:.0f} MB (kernel +{(at_work[n][0] - kernels_before[n]) / MB:.0f} MB), "
              f"RSS {at_work[n][1] / MB:.0f} MB")  # fmt: skip
    print(f"idle culler (timeout {args.idle_timeout} s, every 10 s): every server stopped within {culled_after:.0f} s of the last request to it")
    return 0 if all(s == "ok" for s in statuses) else 1


if __name__ == "__main__":
    sys.exit(main())
