"""Several graders share one PostgreSQL gradebook, each taking a shard of the students.
多个评阅进程共享一个 PostgreSQL 成绩库，各自评阅一部分学生。"""

import csv
import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from lesson_cells import LAYOUT
from nbgrader.api import Gradebook
from system_packages import needs

from course.layout import CourseLayout
from course.server.testing import free_port

L01 = "01_numpy_gradient_descent"


pytestmark = needs("postgresql")


@pytest.fixture(scope="module")
def postgres_url():
    """A throwaway PostgreSQL server on loopback / 在回环地址上启动的临时 PostgreSQL 服务器"""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    bin_dir = Path(found[-1]).parent
    data = Path(tempfile.mkdtemp(prefix="course-pg-"))
    as_postgres = []
    if os.geteuid() == 0:  # initdb refuses root / initdb 拒绝以 root 运行
        os.chown(data, pwd.getpwnam("postgres").pw_uid, pwd.getpwnam("postgres").pw_gid)
        as_postgres = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
    port = free_port()
    run = lambda *cmd: subprocess.run([*as_postgres, *cmd], check=True, capture_output=True, timeout=120)  # noqa: E731
    run(str(bin_dir / "initdb"), "-D", str(data / "db"), "--auth=trust", "-U", "postgres")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data}"
    run(str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-o", options, "-w", "-l", str(data / "log"), "start")
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop")
        shutil.rmtree(data, ignore_errors=True)


def test_two_shards_fill_one_postgres_gradebook(postgres_url, tmp_path):
    """Shards 1/2 and 2/2 grade disjoint students into the same gradebook / 两个分片评阅不同学生并写入同一成绩库"""
    submitted = tmp_path / "submitted"
    expected = {"ada": 14, "bo": 0, "cy": 14, "di": 0}
    for student, score in expected.items():
        source = LAYOUT.source_notebook(L01) if score else LAYOUT.release_notebook(L01)
        target = CourseLayout.lesson_file(submitted / student, L01)
        target.parent.mkdir(parents=True)
        nbformat.write(nbformat.read(source, as_version=4), target)
    shard_students = []
    for shard in ("1/2", "2/2"):
        out = tmp_path / f"shard{shard[0]}.csv"
        command = [sys.executable, "-m", "course", "grade", str(submitted), "--shard", shard, "--jobs", "2",
                   "--db-url", postgres_url, "--out", str(out), "--autograded", str(tmp_path / "autograded")]
        result = subprocess.run(command, cwd=LAYOUT.root, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        shard_students.append({r["student_id"] for r in csv.DictReader(out.open())})
    assert shard_students[0] & shard_students[1] == set()
    assert shard_students[0] | shard_students[1] == set(expected)
    with Gradebook(postgres_url) as gradebook:
        scores = {s.student.id: s.score for s in gradebook.assignment_submissions(L01)}
    assert scores == expected
