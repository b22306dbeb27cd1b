"""The learning filter: taught by moderators' verdicts in the queue, un-taught on reversal, kept across restarts."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments_service import create_app
from comments_service.spam.reasons import reason_text
from comments_service.store.database import database
from comments_service.store.models import Comment, SpamToken, State
from comments_service.store.spam_tokens import corpus_size

from .helpers import moderation_token

JSON = {"Accept": "application/json"}
SPAM = [
    ("Cheap Pills", "Buy cheap viagra online now, discount pills at https://pills-now.example/buy"),
    ("Pills Shop", "Cheap cialis and viagra pills online, order at https://cheap-pills.example"),
    ("Casino King", "Best online casino bonus, free spins, cheap pills too https://casino-pills.example"),
]
HAM = [
    ("Marieke", "Mooi geschreven, ik herken het gesprek met de klant heel goed."),
    ("Joost", "Dank voor het stuk over luisteren, ik gebruik het in mijn training."),
    ("Femke", "Klopt het dat je dit in 2009 schreef? Het is nog steeds actueel."),
]


def _submit(client: FlaskClient, n: int, author: str, body: str) -> int:
    form = {"author": author, "body": body}
    response = client.post(
        "/comments/open-post/", data=form, headers=JSON, environ_base={"REMOTE_ADDR": f"192.0.2.{n}"}
    )
    assert response.status_code == 202, response.get_data(as_text=True)
    return int(response.get_json()["id"])


def _act(client: FlaskClient, comment_id: int, action: str) -> None:
    token = moderation_token(client)
    assert client.post(f"/moderate/comments/{comment_id}/{action}", data={"csrf_token": token}).status_code == 303


def _counts(app: Flask, token: str) -> tuple[int, int]:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        row = session.get(SpamToken, token)
        return (row.spam, row.ham) if row else (0, 0)


def _corpus(app: Flask) -> tuple[int, int]:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        return corpus_size(session.connection())


def _teach(client: FlaskClient) -> list[int]:
    spam_ids = [_submit(client, n, *row) for n, row in enumerate(SPAM, start=1)]
    ham_ids = [_submit(client, n, *row) for n, row in enumerate(HAM, start=10)]
    for comment_id in spam_ids:
        _act(client, comment_id, "spam")
    for comment_id in ham_ids:
        _act(client, comment_id, "approve")
    return spam_ids


def test_marking_spam_and_not_spam_trains_and_untrains(mod_client: FlaskClient, app: Flask) -> None:
    comment_id = _submit(mod_client, 1, *SPAM[0])
    _act(mod_client, comment_id, "spam")
    assert _corpus(app) == (1, 0)
    assert _counts(app, "viagra") == (1, 0) and _counts(app, "url:pills-now.example") == (1, 0)
    _act(mod_client, comment_id, "spam")
    assert _corpus(app) == (1, 0), "the same verdict twice is learnt once"
    # "Not spam": approving from the spam folder reverses what was learnt.
    _act(mod_client, comment_id, "approve")
    assert _corpus(app) == (0, 1)
    assert _counts(app, "viagra") == (0, 1)
    _act(mod_client, comment_id, "delete")
    assert _corpus(app) == (0, 1), "deleting says nothing about spam"


def test_the_spam_folder_lists_caught_comments_with_their_reason(mod_client: FlaskClient, app: Flask) -> None:
    response = mod_client.post(
        "/comments/open-post/", data={"author": "Bot", "body": "Hallo", "homepage": "x"}, headers=JSON
    )
    page = mod_client.get("/moderate/?state=spam").get_data(as_text=True)
    assert f'id="queue-{response.get_json()["id"]}"' in page
    assert "Why spam: the hidden honeypot field was filled in" in page
    assert "Hallo" not in mod_client.get("/moderate/").get_data(as_text=True), "not in the pending queue"


def test_trained_filter_catches_new_spam_and_survives_a_restart(
    mod_client: FlaskClient, app: Flask, database_url: str, site_dir: Path
) -> None:
    app.config["SPAM_FILTER_MIN_TRAINING"] = 3
    _teach(mod_client)
    # A new process: a fresh app over the same store, nothing kept in memory.
    restarted = create_app(
        {"DATABASE_URL": database_url, "SITE_DIR": str(site_dir), "SECRET_KEY": "x", "SPAM_FILTER_MIN_TRAINING": 3}
    )
    client = restarted.test_client()
    spam_id = _submit(client, 50, "Pills Online", "Cheap viagra pills online at https://more-pills.example/cheap")
    ham_id = _submit(client, 51, "Anna", "Ik herken het gesprek met de klant, dank voor het stuk.")
    with database(database_url).transaction() as session:
        spam, ham = session.get(Comment, spam_id), session.get(Comment, ham_id)
        assert spam is not None and ham is not None
        assert spam.state == State.SPAM and reason_text(spam.verdict_reason).startswith("learning filter scores 1.00")
        assert ham.state == State.PENDING and ham.verdict_reason == ""


def test_filter_stays_silent_until_it_has_enough_training(mod_client: FlaskClient, app: Flask) -> None:
    app.config["SPAM_FILTER_MIN_TRAINING"] = 4
    _teach(mod_client)
    spam_id = _submit(mod_client, 60, "Pills Online", "Cheap viagra pills online at https://more-pills.example/cheap")
    with database(app.config["DATABASE_URL"]).transaction() as session:
        comment = session.scalar(select(Comment).where(Comment.id == spam_id))
        assert comment is not None and comment.state == State.PENDING
