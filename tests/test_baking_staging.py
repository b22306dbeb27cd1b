"""Full builds are swapped in whole; readers never see a partial page; bakes during a build survive it."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from jinja2 import TemplateSyntaxError
from pelican import signals

from comments_service.baking.pass_bake import bake_posts
from comments_service.baking.pelican_site import full_build, load_site
from comments_service.baking.staging import builds_folder
from comments_service.baking.trigger import site_of, start_worker
from comments_service.baking.unit_of_work import UnitOfWork
from comments_service.store.comments import set_state
from comments_service.store.database import database
from comments_service.store.models import Comment, State
from comments_service.store.threads import get_thread, set_closed

from .baking_support import differences, fresh_build

# A separate process, like a web server: a reader thread here would contend for the GIL.
READER = """
import json, sys, time
from pathlib import Path
pages, stop = [Path(p) for p in sys.argv[2:]], Path(sys.argv[1])
seen = {"reads": 0, "bad": [], "closed": 0, "open": 0}
while not stop.exists():
    for page in pages:
        data = page.read_bytes()
        seen["reads"] += 1
        if not (data.startswith(b"<!DOCTYPE html>") and data.rstrip().endswith(b"</html>")):
            seen["bad"].append([page.name, len(data)])
        seen["closed" if b"Comments on this entry are closed." in data else "open"] += 1
    time.sleep(0.0005)
print(json.dumps(seen))
"""


@contextmanager
def _reading(pages: list[Path], tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Read pages in a loop in another process; collect what every read saw."""
    stop = tmp_path / "stop-reading"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(stop), *map(str, pages)], stdout=subprocess.PIPE)
    seen: dict[str, Any] = {}
    try:
        yield seen
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=30)
        seen.update(json.loads(out))


def test_a_reader_never_sees_a_partial_page_during_1000_bakes(app: Flask, output: Path, tmp_path: Path) -> None:
    url, site = app.config["DATABASE_URL"], site_of(app)
    with _reading([output / "open-post.html"], tmp_path) as seen:
        for step in range(1000):
            with database(url).transaction() as session:
                thread = get_thread(session, "open-post")
                assert thread is not None
                set_closed(session, thread, step % 2 == 0)
            assert bake_posts(site, ["open-post"]) == [output / "open-post.html"]
    assert seen["bad"] == []
    assert seen["reads"] > 100 and seen["closed"] > 0 and seen["open"] > 0


def test_readers_see_whole_pages_while_full_builds_replace_the_site(app: Flask, output: Path, tmp_path: Path) -> None:
    before = output.resolve()
    with _reading([output / "open-post.html", output / "index.html", output / "zeker.html"], tmp_path) as seen:
        for _ in range(3):
            full_build(site_of(app))
    assert seen["bad"] == [] and seen["reads"] > 0
    assert output.is_symlink() and output.resolve() != before
    # The new build and the one before it are kept; older ones are removed.
    assert len(list(builds_folder(output).iterdir())) == 2


def _during_build(action: Callable[[], None]) -> Callable[[Any], None]:
    def receiver(pelican: Any) -> None:
        action()

    return receiver


def test_a_bake_requested_during_a_build_lands_in_the_swapped_in_output(
    app: Flask, output: Path, tmp_path: Path
) -> None:
    url, site = app.config["DATABASE_URL"], site_of(app)
    app.config["BAKE_WAIT_SECONDS"] = 0.2
    with database(url).transaction() as session:
        thread = get_thread(session, "open-post")
        comment = Comment(thread=thread, author="Tijdens", body_html="<p>Tijdens de build</p>", state=State.PENDING)
        session.add(comment)
        session.flush()
        comment_id = comment.id
    worker = start_worker(app)
    assert worker is not None
    pelican_done, approved = threading.Event(), threading.Event()

    def hold_the_build() -> None:
        # Pelican has read the store and written every page; the swap has not happened yet.
        pelican_done.set()
        assert approved.wait(30)

    receiver = _during_build(hold_the_build)
    signals.finalized.connect(receiver)
    try:
        build = threading.Thread(target=full_build, args=(site,))
        build.start()
        assert pelican_done.wait(60)
        with app.app_context(), database(url).transaction() as session:
            stored = session.get(Comment, comment_id)
            assert stored is not None
            work = UnitOfWork(session)
            set_state(session, stored, State.APPROVED)
            work.bake("open-post")
            assert not work.commit(), "the bake waits for the build"
        approved.set()
        build.join(60)
    finally:
        signals.finalized.disconnect(receiver)
    assert worker.wait(worker.wake(), 10)
    assert b"Tijdens de build" in (output / "open-post.html").read_bytes()
    assert differences(output, fresh_build(app, tmp_path / "fresh")) == []


def test_a_plain_output_folder_is_replaced_by_the_first_build(app: Flask, site_dir: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain" / "output"
    plain.mkdir(parents=True)
    (plain / "stale.html").write_text("from an earlier pelican run")
    site = load_site(str(site_dir / "pelicanconf.py"), app.config["DATABASE_URL"], str(plain))
    full_build(site)
    assert plain.is_symlink() and (plain / "open-post.html").exists() and not (plain / "stale.html").exists()


def test_a_failed_build_leaves_the_published_site_alone(app: Flask, output: Path, site_dir: Path) -> None:
    before = output.resolve()
    (site_dir / "theme/templates/article.html").write_text("{% block %}")
    with pytest.raises(TemplateSyntaxError):
        full_build(site_of(app))
    assert output.resolve() == before and (output / "open-post.html").exists()
    assert list(builds_folder(output).iterdir()) == [before]
