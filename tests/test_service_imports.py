"""A web worker never loads the tools only builds, imports and migrations use: each costs every worker megabytes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flask import Flask

REPO = Path(__file__).resolve().parent.parent
# Pelican and what it brings (docutils, Pygments, feedgenerator), the WordPress and Disqus
# readers of `flask import`, and Alembic with Mako for `flask db upgrade`.
BUILD_AND_IMPORT_TOOLS = ("pelican", "docutils", "pygments", "feedgenerator", "bs4", "markdownify", "defusedxml")
MIGRATION_TOOLS = ("alembic", "mako")

# A fresh process, like a gunicorn worker: the test process itself has run Pelican.
SERVE_AND_BAKE = """
import json, sys
from comments_service import create_app
from tests.helpers import login, moderation_token

config, username, password = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
app = create_app(config)
client = app.test_client()
form = {"author": "Piet", "body": "Gebakken zonder Pelican"}
posted = client.post("/comments/open-post/", data=form, headers={"Accept": "application/json"})
assert posted.status_code == 202, posted.get_data(as_text=True)
login(client, username, password)
token = moderation_token(client)
approved = client.post(f"/moderate/comments/{posted.get_json()['id']}/approve", data={"csrf_token": token})
assert approved.status_code == 303, approved.get_data(as_text=True)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_serving_and_baking_load_no_build_import_or_migration_tools(
    app: Flask, output: Path, moderator: tuple[str, str]
) -> None:
    keys = ("TESTING", "SECRET_KEY", "DATABASE_URL", "SITE_DIR", "OUTPUT_PATH", "FLOOD_SECONDS")
    config = json.dumps({key: app.config[key] for key in keys})
    run = subprocess.run(
        [sys.executable, "-c", SERVE_AND_BAKE, config, *moderator],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    # The approval waited for its bake, in that process.
    assert "Gebakken zonder Pelican" in (output / "open-post.html").read_text(encoding="utf-8")
    loaded = set(json.loads(run.stdout.splitlines()[-1]))
    assert {"comments_service", "flask", "sqlalchemy", "jinja2"} <= loaded
    assert loaded.isdisjoint(BUILD_AND_IMPORT_TOOLS + MIGRATION_TOOLS), sorted(
        loaded & set(BUILD_AND_IMPORT_TOOLS + MIGRATION_TOOLS)
    )
