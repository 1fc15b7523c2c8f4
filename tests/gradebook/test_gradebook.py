"""course.gradebook.store: new gradebooks stamped with nbgrader's schema revision without running `alembic`."""

import sqlite3
import subprocess

import nbgrader.api
import nbgrader.dbutil
import pytest

from course.gradebook import store as gradebook
from course.gradebook.store import open_gradebook, schema_head
from course.layout import CourseLayout


@pytest.fixture
def fresh_head(monkeypatch):
    """schema_head computed afresh, nbgrader's own lookup restored afterwards"""
    monkeypatch.setattr(nbgrader.api, "get_alembic_version", nbgrader.api.get_alembic_version)
    schema_head.cache_clear()
    yield
    schema_head.cache_clear()


def stamped(path) -> list[tuple[str]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT version_num FROM alembic_version").fetchall()


def test_the_head_read_from_the_scripts_is_the_one_alembic_reports(fresh_head):
    """schema_head equals `alembic heads` run as nbgrader runs it"""
    with CourseLayout.environment_tools_on_path():
        reported = nbgrader.api.get_alembic_version()
    assert schema_head() == reported
    assert len(reported) == 12


def test_a_new_gradebook_is_stamped_without_a_subprocess(fresh_head, monkeypatch, tmp_path):
    """open_gradebook makes a gradebook stamped with the head, and runs no subprocess doing it"""
    def refuse(*args, **kwargs):
        raise AssertionError(f"a subprocess was started: {args}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    with open_gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as book:
        book.update_or_create_student("s1")
    assert stamped(tmp_path / "gradebook.db") == [(schema_head(),)]


def test_scripts_that_do_not_say_one_head_leave_nbgrader_its_subprocess(fresh_head, monkeypatch, tmp_path):
    """Two heads, or a script without its revision lines: None, and nbgrader's own lookup is kept"""
    versions = tmp_path / "alembic" / "versions"
    versions.mkdir(parents=True)
    (versions / "a.py").write_text("revision = 'aaaaaaaaaaaa'\ndown_revision = None\n")
    (versions / "b.py").write_text("revision = 'bbbbbbbbbbbb'\ndown_revision = None\n")
    monkeypatch.setattr(nbgrader.dbutil, "ALEMBIC_DIR", str(tmp_path / "alembic"))
    assert schema_head() is None
    schema_head.cache_clear()
    (versions / "b.py").write_text("revision = 'bbbbbbbbbbbb'\ndown_revision = 'aaaaaaaaaaaa'\n")
    assert schema_head() == "bbbbbbbbbbbb"
    schema_head.cache_clear()
    (versions / "c.py").write_text("revision = compute()\n")
    assert schema_head() is None
    original = nbgrader.api.get_alembic_version
    gradebook.stamp_without_subprocess()
    assert nbgrader.api.get_alembic_version is original
