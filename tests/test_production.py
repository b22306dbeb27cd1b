"""Production behaviour: gunicorn with several workers under concurrent load, and SIGKILLs under load."""

from __future__ import annotations

import argparse

import pytest

from bench.crash import run_crash_test
from bench.intake import UNMODERATED, run_kiln

from .conftest import require_postgres

pytestmark = pytest.mark.slow


def _require(db: str) -> None:
    if db == "postgresql":
        require_postgres()


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_four_gunicorn_workers_under_32_clients_lose_and_mix_up_nothing(db: str) -> None:
    _require(db)
    args = argparse.Namespace(comments=640, clients=32, threads=8)
    row = run_kiln(db, args, workers=4, settings=UNMODERATED)
    assert row["acked"] == 640, row
    assert row["errors"] == 0, row
    assert (row["lost"], row["wrong id"], row["duplicated"]) == (0, 0, 0), row


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_twenty_sigkills_under_load_keep_every_acknowledged_comment_once(db: str) -> None:
    _require(db)
    report = run_crash_test(db, kills=20)
    assert report.acked > 100, report
    assert report.passed, report
