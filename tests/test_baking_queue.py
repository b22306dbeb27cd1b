"""The durable bake queue: requests coalesce, the worker keeps newer ones, nothing is lost."""

from __future__ import annotations

import sys
import threading
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from comments_service.baking.hook import hook_arguments
from comments_service.baking.trigger import bake_worker, start_worker
from comments_service.store.bake_jobs import Job, finish_all, pending, record_failure, request_bake
from comments_service.store.database import database
from comments_service.store.models import BakeJob, Comment, State, Thread, utcnow
from comments_service.store.threads import get_thread, set_closed

from .helpers import eventually, moderation_token

JSON = {"Accept": "application/json"}


def _jobs(app: Flask) -> list[tuple[str, int, int, str]]:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        rows = session.scalars(select(BakeJob).order_by(BakeJob.slug))
        return [(j.slug, j.version, j.attempts, j.last_error) for j in rows]


def _pending_comment(client: FlaskClient, body: str) -> int:
    response = client.post("/comments/open-post/", data={"author": "Piet", "body": body}, headers=JSON)
    assert response.status_code == 202
    return int(response.get_json()["id"])


def test_requests_for_one_post_coalesce_and_a_newer_request_outlives_an_older_bake(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    for _ in range(3):
        with database(url).transaction() as session:
            request_bake(session, "open-post")
    assert _jobs(app) == [("open-post", 3, 0, "")]
    assert finish_all(url, [Job("open-post", 2)]) == 0, "a bake of an older request keeps the job"
    assert _jobs(app) == [("open-post", 3, 0, "")]
    assert finish_all(url, [Job("open-post", 3)]) == 1
    assert _jobs(app) == []


def test_removing_jobs_leaves_later_commits_durable(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    database(url).engine.dispose()  # so the check below gets the very connection finish_all used
    finish_all(url, [Job("open-post", 1)])
    with database(url).engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        else:
            assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"


def test_concurrent_requests_for_one_post_both_commit(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    first_wrote = threading.Event()
    errors: list[BaseException] = []

    def second() -> None:
        try:
            first_wrote.wait(10)
            with database(url).transaction() as session:
                request_bake(session, "open-post")
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    thread = threading.Thread(target=second)
    thread.start()
    with database(url).transaction() as session:
        request_bake(session, "open-post")
        first_wrote.set()
        # The other transaction now tries to insert the same post while this one is open.
        thread.join(0.3)
    thread.join(30)
    assert errors == []
    assert _jobs(app) == [("open-post", 2, 0, "")]


def test_a_request_rolled_back_with_its_change_leaves_no_job(app: Flask) -> None:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        request_bake(session, "open-post")
        session.rollback()
    assert _jobs(app) == []


def test_bakes_committed_without_a_worker_are_applied_when_one_starts(
    mod_client: FlaskClient, app: Flask, output: Path
) -> None:
    app.config["BAKE_IN_PROCESS"] = False
    comment_id = _pending_comment(mod_client, "Na de herstart zichtbaar")
    token = moderation_token(mod_client)
    assert mod_client.post(f"/moderate/comments/{comment_id}/approve", data={"csrf_token": token}).status_code == 303
    page = output / "open-post.html"
    assert "Na de herstart zichtbaar" not in page.read_text()
    assert [j[0] for j in _jobs(app)] == ["open-post"]
    app.config["BAKE_IN_PROCESS"] = True
    worker = start_worker(app)
    assert worker is not None and worker.wait(worker.wake(), 10)
    assert "Na de herstart zichtbaar" in page.read_text()
    assert eventually(lambda: _jobs(app) == []), "the worker removes baked jobs"


def test_a_failing_bake_is_recorded_and_retried(app: Flask, output: Path, site_dir: Path) -> None:
    url = app.config["DATABASE_URL"]
    template = site_dir / "theme/templates/kiln/count.html"
    good = template.read_text()
    template.write_text("{% if %}")
    with app.app_context():
        worker = start_worker(app)
        assert worker is not None
        with database(url).transaction() as session:
            request_bake(session, "open-post")
        worker.wait(worker.wake(), 10)
        [(slug, version, attempts, error)] = _jobs(app)
        assert slug == "open-post" and attempts >= 1 and "TemplateSyntaxError" in error
        template.write_text(good)
        worker.wait(worker.wake(), 10)
    assert eventually(lambda: _jobs(app) == []), "the worker removes baked jobs"


def test_a_failed_bake_waits_its_backoff_unless_a_new_request_comes(app: Flask) -> None:
    url, now = app.config["DATABASE_URL"], utcnow()
    with database(url).transaction() as session:
        request_bake(session, "open-post")
    with database(url).transaction() as session:
        [job] = pending(session, now)
        record_failure(session, job, "TemplateSyntaxError: boom", retry_at=now + timedelta(seconds=60))
    with database(url).transaction() as session:
        assert pending(session, now + timedelta(seconds=59)) == [], "not before its retry time"
        assert [j.attempts for j in pending(session, now + timedelta(seconds=60))] == [1]
        request_bake(session, "open-post")
    with database(url).transaction() as session:
        assert [(j.slug, j.version) for j in pending(session, now)] == [("open-post", 2)], (
            "a new request is due at once"
        )


def test_the_bake_worker_backs_off_by_the_queue_terms(app: Flask) -> None:
    app.config.update(BAKE_RETRY_DELAY=30.0, BAKE_RETRY_MAX_DELAY=100.0)
    with app.app_context():
        terms = bake_worker(app).terms
    assert [terms.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 100, 100]
    assert not terms.exhausted(10**6), "a bake is never given up"


def test_a_post_whose_bake_fails_does_not_hold_back_the_others_in_its_pass(
    app: Flask, output: Path, site_dir: Path
) -> None:
    url = app.config["DATABASE_URL"]
    template = site_dir / "theme/templates/kiln/count.html"
    template.write_text('{% if thread.slug == "open-post" %}{{ no_such_value }}{% endif %}' + template.read_text())
    with app.app_context():
        with database(url).transaction() as session:
            request_bake(session, "open-post")
            request_bake(session, "luisteren")
        worker = start_worker(app)
        assert worker is not None
        worker.wait(worker.wake(), 10)
        assert eventually(
            lambda: [(slug, "no_such_value" in error) for slug, _v, _a, error in _jobs(app)] == [("open-post", True)]
        )


def test_the_post_bake_hook_gets_each_changed_file(
    mod_client: FlaskClient, app: Flask, output: Path, tmp_path: Path
) -> None:
    record = tmp_path / "hook.txt"
    script = tmp_path / "hook.py"
    script.write_text("import os, sys\nopen(sys.argv[1], 'w').write(os.getcwd() + '\\n' + '\\n'.join(sys.argv[2:]))\n")
    app.config["BAKE_HOOK"] = f"{sys.executable} {script} {record}"
    comment_id = _pending_comment(mod_client, "Voor de hook")
    token = moderation_token(mod_client)
    mod_client.post(f"/moderate/comments/{comment_id}/approve", data={"csrf_token": token})
    worker = start_worker(app)
    assert worker is not None
    worker.wait(worker.wake(), 10)  # the hook runs after the pass's pages are durable
    cwd, *files = record.read_text().splitlines()
    assert Path(cwd) == output.resolve()
    assert {"./open-post.html", "./index.html", "./feeds/comments/open-post.atom.xml"} <= set(files)
    assert "./feeds/comments.atom.xml" in files


def test_hook_file_names_are_arguments_never_shell_text(tmp_path: Path) -> None:
    evil = tmp_path / "$(touch pwned); rm -rf ~ .html"
    assert hook_arguments("rsync -R --quiet", tmp_path, [evil]) == [
        "rsync",
        "-R",
        "--quiet",
        "./$(touch pwned); rm -rf ~ .html",
    ]


def test_bake_command_for_one_post_and_for_all(runner: FlaskCliRunner, app: Flask, output: Path) -> None:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        thread = get_thread(session, "open-post")
        assert thread is not None
        set_closed(session, thread, True)
    result = runner.invoke(args=["bake", "open-post"])
    assert result.exit_code == 0, result.output
    assert "Comments on this entry are closed." in (output / "open-post.html").read_text()
    with database(app.config["DATABASE_URL"]).transaction() as session:
        thread = session.scalar(select(Thread).where(Thread.slug == "luisteren"))
        session.add(Comment(thread=thread, author="Ans", body_html="<p>Alle</p>", state=State.APPROVED))
    result = runner.invoke(args=["bake", "--all"])
    assert result.exit_code == 0, result.output
    assert "Baked 4 post(s)" in result.output
    assert "<p>Alle</p>" in (output / "luisteren.html").read_text()


def test_bake_command_bakes_every_other_post_and_names_the_one_that_failed(
    runner: FlaskCliRunner, app: Flask, output: Path, site_dir: Path
) -> None:
    template = site_dir / "theme/templates/kiln/count.html"
    template.write_text('{% if thread.slug == "open-post" %}{{ no_such_value }}{% endif %}' + template.read_text())
    with database(app.config["DATABASE_URL"]).transaction() as session:
        thread = get_thread(session, "luisteren")
        session.add(Comment(thread=thread, author="Ans", body_html="<p>Alle</p>", state=State.APPROVED))
    result = runner.invoke(args=["bake", "--all"])
    assert result.exit_code == 1 and "failed: open-post: " in result.output and "no_such_value" in result.output
    assert "<p>Alle</p>" in (output / "luisteren.html").read_text()


def test_bake_command_refuses_unknown_posts_and_missing_arguments(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["bake", "no-such-post"])
    assert result.exit_code == 1 and "no post 'no-such-post'" in result.output
    assert runner.invoke(args=["bake"]).exit_code == 2
    assert runner.invoke(args=["bake", "open-post", "--all"]).exit_code == 2


def test_bake_worker_once_applies_the_queue(runner: FlaskCliRunner, app: Flask, output: Path) -> None:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        thread = get_thread(session, "open-post")
        assert thread is not None
        set_closed(session, thread, True)
        request_bake(session, "open-post")
    result = runner.invoke(args=["bake-worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Comments on this entry are closed." in (output / "open-post.html").read_text()
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert pending(session) == []
