"""The hand-written spam corpus: load it, split it, train the filter on one half, judge the other."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from comments_service.spam.training import comment_tokens
from comments_service.store.database import database
from comments_service.store.models import Comment, State
from comments_service.store.spam_tokens import train
from comments_service.text.sanitize import markdown_to_html

CORPUS = Path(__file__).parent / "data" / "spam"
Row = dict[str, str]


def load(name: str) -> list[Row]:
    """Return the comments of one corpus file."""
    lines = (CORPUS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def halves(train_on_odd_lines: bool = False) -> tuple[list[Row], list[Row]]:
    """Return the training half and the test half: even and odd lines of each file (or the other way round)."""
    rows = {name: load(name) for name in ("ham", "spam")}
    first, second = (1, 0) if train_on_odd_lines else (0, 1)
    training = [row for name in rows for row in rows[name][first::2]]
    testing = [row for name in rows for row in rows[name][second::2]]
    return training, testing


def train_filter(app: Flask, rows: list[Row]) -> None:
    """Teach the learning filter these comments, as moderators' verdicts would."""
    with database(app.config["DATABASE_URL"]).transaction() as session:
        for row in rows:
            token_set = comment_tokens(row["author"], row["website"], row["body"], markdown_to_html(row["body"]))
            train(session, token_set, row["label"])


@dataclass(frozen=True)
class Scores:
    """How the whole pipeline sorted a labelled set of comments."""

    spam_total: int
    ham_total: int
    spam_caught: int  # spam stored as spam
    spam_held: int  # spam waiting for a moderator
    ham_as_spam: int  # real comments stored as spam
    ham_held: int  # real comments waiting for a moderator (the default)

    @property
    def recall(self) -> float:
        """Share of spam marked spam."""
        return self.spam_caught / self.spam_total

    @property
    def precision(self) -> float:
        """Share of comments marked spam that were spam."""
        marked = self.spam_caught + self.ham_as_spam
        return self.spam_caught / marked if marked else 1.0

    @property
    def false_positive_rate(self) -> float:
        """Share of real comments marked spam."""
        return self.ham_as_spam / self.ham_total


def submit_all(client: FlaskClient, app: Flask, slug: str, rows: list[Row]) -> Scores:
    """Post every comment through the public endpoint, each from its own address, and count the outcomes."""
    states: list[tuple[str, State]] = []
    first = ipaddress.ip_address("10.20.0.1")
    for n, row in enumerate(rows):
        form = {k: row[k] for k in ("author", "email", "website", "body")}
        response = client.post(
            f"/comments/{slug}/",
            data=form,
            headers={"Accept": "application/json"},
            environ_base={"REMOTE_ADDR": str(first + n)},
        )
        assert response.status_code in (201, 202), (row, response.get_data(as_text=True))
        with database(app.config["DATABASE_URL"]).transaction() as session:
            comment = session.get(Comment, response.get_json()["id"])
            assert comment is not None
            states.append((row["label"], comment.state))
    return Scores(
        spam_total=sum(label == "spam" for label, _ in states),
        ham_total=sum(label == "ham" for label, _ in states),
        spam_caught=states.count(("spam", State.SPAM)),
        spam_held=states.count(("spam", State.PENDING)),
        ham_as_spam=states.count(("ham", State.SPAM)),
        ham_held=states.count(("ham", State.PENDING)),
    )
