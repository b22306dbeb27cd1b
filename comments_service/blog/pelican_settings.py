"""The few Pelican settings the service needs, read from the site's settings file without importing Pelican.

Importing Pelican loads its readers, writers, docutils and Pygments: megabytes in every web
worker that only splices comment regions into built pages. The rules here are Pelican's own
(pelican.settings.read_settings) for just these settings; tests/test_baking_pelican_conf.py
checks that they agree with the installed Pelican.
"""

from __future__ import annotations

import os
import runpy
from collections.abc import Mapping
from importlib.util import find_spec
from pathlib import Path
from typing import Any

# What rendering and the site's identity read, besides THEME; Pelican's defaults for those it defaults.
RENDER_KEYS = ("TIMEZONE", "SITEURL", "SITENAME", "KILN", "DEFAULT_LANG")
DEFAULTS = {"SITEURL": "", "SITENAME": "A Pelican Blog", "DEFAULT_LANG": "en"}
DEFAULT_OUTPUT_PATH = "output"
DEFAULT_THEME = "notmyidea"


def conf_path(config: Mapping[str, Any]) -> str:
    """Return the Pelican settings file the service's settings name (SITE_DIR and PELICAN_CONF)."""
    return str(Path(config["SITE_DIR"]) / config["PELICAN_CONF"])


def _from_file(conf_path: str, value: str) -> str:
    """Return a path given in the settings file as Pelican does: a relative one against the file's folder."""
    if os.path.isabs(value):
        return value
    return os.path.abspath(os.path.normpath(os.path.join(os.path.dirname(conf_path), value)))


def _builtin_theme(name: str) -> str:
    # find_spec locates the installed package without running it.
    spec = find_spec("pelican")
    package = os.path.dirname(spec.origin) if spec is not None and spec.origin else ""
    return os.path.join(package, "themes", name)


def _theme(conf_path: str, value: str | None) -> str:
    """Return the theme folder: a path from the settings file if it exists, else a theme shipped with Pelican."""
    if value is None:
        return _builtin_theme(DEFAULT_THEME)
    theme = _from_file(conf_path, value)
    if os.path.exists(theme):
        value = theme
    if os.path.isdir(value):
        return value
    if os.path.exists(builtin := _builtin_theme(value)):
        return builtin
    raise ValueError(f"Could not find the theme {value}")


def read_render_settings(conf_path: str, output_path: str | None = None) -> dict[str, Any]:
    """Run a Pelican settings file; return its OUTPUT_PATH (or output_path) and the settings rendering reads."""
    given = {name: value for name, value in runpy.run_path(conf_path).items() if name.isupper()}
    settings = {**DEFAULTS, **{key: given[key] for key in RENDER_KEYS if key in given}}
    settings["THEME"] = _theme(conf_path, given.get("THEME"))
    output = output_path or given.get("OUTPUT_PATH")
    # Pelican resolves an OUTPUT_PATH the file (or the caller) gives; its default stays relative.
    settings["OUTPUT_PATH"] = DEFAULT_OUTPUT_PATH if output is None else _from_file(conf_path, output)
    return settings
