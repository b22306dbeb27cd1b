"""The whole pipeline against the hand-written corpus: filter trained on one half, judged on the other."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from .spam_corpus import halves, load, submit_all, train_filter


def test_the_corpus_is_large_enough_and_balanced() -> None:
    ham, spam = load("ham"), load("spam")
    assert len(ham) + len(spam) >= 200
    assert abs(len(ham) - len(spam)) <= 5
    assert {row["label"] for row in ham} == {"ham"} and {row["label"] for row in spam} == {"spam"}
    dutch = [row for row in ham if " het " in f" {row['body']} " or " de " in f" {row['body']} "]
    assert len(dutch) >= 40, "half of the real comments are Dutch"


def test_pipeline_catches_spam_and_spares_real_comments(client: FlaskClient, app: Flask) -> None:
    training, testing = halves()
    train_filter(app, training)
    scores = submit_all(client, app, "open-post", testing)
    print(f"recall {scores.recall:.3f} precision {scores.precision:.3f} ham marked spam {scores.ham_as_spam}")
    assert scores.recall >= 0.95, scores
    assert scores.false_positive_rate <= 0.01, scores


def test_without_training_only_the_fixed_checks_catch_spam(client: FlaskClient, app: Flask) -> None:
    _, testing = halves()
    scores = submit_all(client, app, "open-post", testing)
    assert scores.ham_as_spam == 0
    assert scores.recall < 0.2, "the learning filter is what catches most of the spam"
