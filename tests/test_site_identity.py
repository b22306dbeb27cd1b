"""One site identity: the service's settings first, Pelican's as fallback; unknown settings are warned of."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pelican import Pelican
from pelican.settings import read_settings

from comments_service import create_app
from comments_service.blog.identity import SiteIdentity, avatar_key, from_pelican, identity_of, resolve
from comments_service.blog.pelican_settings import read_render_settings
from comments_service.config import load_config
from comments_service.linkbacks.targets import configured_base
from comments_service.notify.mailconf import service_link, site_link, site_name

from .conftest import built_app

MakeApp = Callable[..., Flask]

PELICAN = (
    'SITENAME = "Zeker"\nSITEURL = "https://blog.example.org/"\n'
    'KILN = {"SERVICE_URL": "https://kiln.example.org/", "AUTO_CLOSE_DAYS": 30, "DATABASE_URL": "sqlite:///pelican"}\n'
)
KILN_WARNING = "kiln: unknown key {} in Pelican's KILN setting is ignored"
FORM = {"author": "Piet", "body": "Waar kom ik terug?"}


def _warnings(caplog: pytest.LogCaptureFixture, about: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and about in r.getMessage()]


@pytest.fixture
def make_app(sqlite_url: str, tmp_path: Path) -> MakeApp:
    """Make the service over a site whose pelicanconf.py sets the identity, with extra settings of its own."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "pelicanconf.py").write_text(PELICAN, encoding="utf-8")

    def make(**settings: Any) -> Flask:
        base = {"TESTING": True, "SECRET_KEY": "s", "DATABASE_URL": sqlite_url, "SITE_DIR": str(site)}
        return create_app({**base, **settings})

    return make


def test_the_service_takes_pelicans_values_where_its_own_are_unset(make_app: MakeApp, sqlite_url: str) -> None:
    app = make_app()
    # The store and closing rule are the service's own: it passes them into the builds it runs.
    assert identity_of(app) == SiteIdentity(
        site_url="https://blog.example.org",
        service_url="https://kiln.example.org",
        site_name="Zeker",
        database_url=sqlite_url,
        auto_close_days=0,
        # Identicons are drawn with a key derived from the service's secret (SECRET_KEY "s"), never the secret.
        avatar_key=avatar_key("s"),
    )
    assert identity_of(app).avatar_key not in ("", "s")
    assert configured_base(app) == "https://blog.example.org"
    assert site_link(app, "/zeker.html") == "https://blog.example.org/zeker.html"
    assert service_link(app, "moderation.queue") == "https://kiln.example.org/moderate/"
    assert site_name(app) == "Zeker"


def test_the_service_s_own_settings_come_first(make_app: MakeApp) -> None:
    app = make_app(SITE_URL="https://www.example.net/", SITE_NAME="Anders", AUTO_CLOSE_DAYS=7)
    identity = identity_of(app)
    assert (identity.site_url, identity.site_name, identity.auto_close_days) == ("https://www.example.net", "Anders", 7)
    assert configured_base(app) == "https://www.example.net"
    assert site_name(app) == "Anders"
    assert service_link(app, "moderation.queue") == "https://kiln.example.org/moderate/"
    app = make_app(SERVICE_URL="https://comments.example.net")
    assert service_link(app, "moderation.queue") == "https://comments.example.net/moderate/"


def test_links_to_the_service_fall_back_to_the_site_s_address() -> None:
    pelican = SiteIdentity(site_url="https://blog.example.org")
    config = {"SITE_URL": "", "SERVICE_URL": "", "SITE_NAME": "", "DATABASE_URL": "sqlite://", "AUTO_CLOSE_DAYS": 0}
    assert resolve(config, pelican).service_base == "https://blog.example.org"
    assert (
        resolve({**config, "SITE_URL": "https://www.example.net/"}, pelican).service_base == "https://www.example.net"
    )


def test_the_identity_is_resolved_once_and_anew_when_a_setting_changes(make_app: MakeApp) -> None:
    app = make_app()
    assert identity_of(app) is identity_of(app)
    app.config["SITE_NAME"] = "Later"
    assert identity_of(app).site_name == "Later"


def test_a_relative_site_address_names_no_linkback_target(make_app: MakeApp) -> None:
    app = make_app(SITE_URL="/blog")
    assert identity_of(app).site_url == "/blog" and configured_base(app) == ""


def test_a_plain_pelican_build_reads_its_identity_by_pelicans_defaults(tmp_path: Path) -> None:
    conf = tmp_path / "bare.py"
    conf.write_text('PATH = "content"\n', encoding="utf-8")
    assert from_pelican(read_render_settings(str(conf))) == SiteIdentity(site_name="A Pelican Blog")
    conf.write_text(PELICAN, encoding="utf-8")
    assert from_pelican(read_render_settings(str(conf))) == SiteIdentity(
        "https://blog.example.org", "https://kiln.example.org", "Zeker", "sqlite:///pelican", 30
    )


@pytest.fixture
def published_app(sqlite_url: str, site_dir: Path) -> Iterator[Flask]:
    """The service, without a SITE_URL of its own, over the demo site published at https://blog.example.org."""
    with (site_dir / "pelicanconf.py").open("a", encoding="utf-8") as conf:
        conf.write('\nSITEURL = "https://blog.example.org"\n')
    yield from built_app(sqlite_url, site_dir, FLOOD_SECONDS=0)


def test_readers_are_sent_back_to_the_post_at_pelican_s_address(published_app: Flask) -> None:
    writer = published_app.test_client()
    response = writer.post("/comments/open-post/", data=FORM)
    assert response.status_code == 303
    # The writer sees their comment in the post's page; anyone else is sent to the post at Pelican's address.
    assert response.headers["Location"] == "/comments/open-post/yours#comment-1"
    assert writer.get("/comments/open-post/yours").status_code == 200
    other = published_app.test_client().get("/comments/open-post/yours")
    assert (other.status_code, other.headers["Location"]) == (303, "https://blog.example.org/open-post.html")


def test_unknown_keys_in_the_instance_file_are_warned_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "config.py").write_text('SITE_URL = "https://blog.example.org"\nSITE_ULR = "typo"\n', encoding="utf-8")
    monkeypatch.setenv("KILN_MAIL_HOTS", "smtp.example.org")
    monkeypatch.setenv("KILN_WORKERS", "4")
    app = Flask("instance_test", instance_path=str(tmp_path), instance_relative_config=True)
    with caplog.at_level(logging.WARNING, logger="comments_service.config"):
        load_config(app, {"SITE_NAME": "Zeker", "SPAM_CHEKS": "honeypot"})
    assert app.config["SITE_URL"] == "https://blog.example.org", "the instance file was read"
    warned = _warnings(caplog, "kiln: unknown setting")
    assert f"kiln: unknown setting SITE_ULR in {tmp_path / 'config.py'} is ignored" in warned
    assert "kiln: unknown setting MAIL_HOTS in the environment is ignored" in warned
    assert "kiln: unknown setting SPAM_CHEKS in test_config is ignored" in warned
    # Known settings, and gunicorn's own variables, are not warned of.
    assert not [w for w in warned if any(f" {name} " in w for name in ("SITE_URL", "SITE_NAME", "WORKERS"))]


def test_an_unknown_kiln_key_is_warned_of_by_the_service(
    make_app: MakeApp, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with (tmp_path / "site" / "pelicanconf.py").open("a", encoding="utf-8") as conf:
        conf.write('KILN["AUTO_CLOSE_DAY"] = 30\n')
    app = make_app()
    with caplog.at_level(logging.WARNING):
        identity_of(app)
    assert _warnings(caplog, "KILN setting") == [KILN_WARNING.format("AUTO_CLOSE_DAY")]


def test_an_unknown_kiln_key_is_warned_of_by_a_pelican_build(
    site_dir: Path, sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with (site_dir / "pelicanconf.py").open("a", encoding="utf-8") as conf:
        conf.write(f'\nKILN["DATABASE_URL"] = "{sqlite_url}"\nKILN["COMMENT_FEED_LENGHT"] = 3\n')
    output = tmp_path / "built"
    settings = read_settings(str(site_dir / "pelicanconf.py"), override={"OUTPUT_PATH": str(output)})
    with caplog.at_level(logging.WARNING):
        Pelican(settings).run()
    assert _warnings(caplog, "KILN setting") == [KILN_WARNING.format("COMMENT_FEED_LENGHT")]
    # A warning, not a failure: the build wrote the post, its comments from the store.
    assert "comment-form" in (output / "open-post.html").read_text(encoding="utf-8")
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as store:
        assert store.execute("SELECT count(*) FROM threads WHERE slug = 'open-post'").fetchone() == (1,)
