"""The service reads the settings a bake needs without Pelican, and reads them as Pelican does."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from pelican.settings import read_settings

from comments_service.baking.pelican_site import load_site, pelican_settings
from comments_service.blog.identity import from_pelican
from comments_service.blog.pelican_settings import read_render_settings
from comments_service.rendering.render import options_from_pelican

REPO = Path(__file__).resolve().parent.parent

CONFS = {
    "demo": (REPO / "pelicanconf.py").read_text(encoding="utf-8"),
    "publish": (REPO / "publishconf.py").read_text(encoding="utf-8"),
    # Pelican's defaults: no SITENAME, SITEURL, TIMEZONE, OUTPUT_PATH or KILN.
    "bare": 'PATH = "content"\nTHEME = "theme"\n',
    "everything set": (
        'PATH = "content"\nTHEME = "./theme/"\nOUTPUT_PATH = "../public"\nSITENAME = "Zeker"\n'
        'SITEURL = "https://blog.example.org/"\nTIMEZONE = "Europe/Amsterdam"\n'
        'KILN = {"SERVICE_URL": "https://kiln.example.org/", "COMMENT_FEED_LENGTH": 7, "AUTO_CLOSE_DAYS": 30}\n'
    ),
    "theme by name": 'PATH = "content"\nTHEME = "simple"\n',
    "no theme": 'PATH = "content"\n',
}


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site folder with content and the theme, as the working directory (publishconf.py imports from it)."""
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    shutil.copytree(REPO / "theme", site / "theme")
    shutil.copy(REPO / "pelicanconf.py", site)
    monkeypatch.chdir(site)
    monkeypatch.syspath_prepend(str(site))
    # publishconf.py imports pelicanconf: the one in this site, not one an earlier test loaded.
    monkeypatch.delitem(sys.modules, "pelicanconf", raising=False)
    return site


@pytest.mark.parametrize("output", [None, "built", "/srv/www/blog"])
@pytest.mark.parametrize("name", list(CONFS))
def test_bakes_render_with_the_settings_pelican_builds_with(site: Path, name: str, output: str | None) -> None:
    conf = site / "site.py"
    conf.write_text(CONFS[name], encoding="utf-8")
    ours = read_render_settings(str(conf), output)
    pelicans = read_settings(str(conf), override={"OUTPUT_PATH": output} if output else None)
    assert ours["OUTPUT_PATH"] == pelicans["OUTPUT_PATH"]
    assert from_pelican(ours) == from_pelican(pelicans)
    assert options_from_pelican(ours, from_pelican(ours)) == options_from_pelican(pelicans, from_pelican(pelicans))


def test_a_missing_theme_is_refused_as_pelican_refuses_it(site: Path) -> None:
    conf = site / "site.py"
    conf.write_text('PATH = "content"\nTHEME = "no-such-theme"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="Could not find the theme") as pelicans:
        read_settings(str(conf))
    with pytest.raises(ValueError) as ours:
        read_render_settings(str(conf))
    assert str(ours.value) == str(pelicans.value)


def test_full_builds_get_the_service_s_output_database_and_closing_rule(site: Path) -> None:
    baked = load_site(str(site / "pelicanconf.py"), "sqlite:///elsewhere.sqlite3", "built", 14)
    settings = pelican_settings(baked)
    assert settings["OUTPUT_PATH"] == str(site / "built") == str(baked.output)
    assert settings["KILN"]["DATABASE_URL"] == baked.database_url == "sqlite:///elsewhere.sqlite3"
    assert from_pelican(settings) == baked.identity and baked.identity.auto_close_days == 14
    assert options_from_pelican(settings, baked.identity) == baked.options
