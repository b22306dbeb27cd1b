"""The catalogs: complete, not fuzzy, compiled from their sources, and no template text outside gettext."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment

from comments_service.language.catalogs import CATALOG_DIR, DOMAIN, SOURCE_LANGUAGE, catalog_file, languages
from comments_service.language.speaking import speaking
from comments_service.linkbacks.receive import REMOVED_BY_SOURCE
from comments_service.spam.reasons import reason_text

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = ("nl", "de", "fr")
TEMPLATE = CATALOG_DIR / f"{DOMAIN}.pot"
# Templates people read; trackback.xml answers TrackBack clients in the protocol's own words.
TEMPLATES = sorted(
    [*ROOT.glob("theme/templates/**/*.html"), *ROOT.glob("theme/templates/**/*.xml")]
    + [*ROOT.glob("comments_service/**/templates/**/*.html"), *ROOT.glob("comments_service/**/templates/**/*.txt")]
)
# Literal text allowed outside gettext: the product's name and punctuation.
ALLOWED_WORDS = {"Kiln"}
# Attributes whose values people read (or hear).
READ_ATTRIBUTES = re.compile(r'\b(?:title|alt|placeholder|aria-label|aria-description|label)="([^"]*)"')
TAG = re.compile(r"<[^>]*>")
# An attribute written outside a tag, as a macro that adds attributes to a field does.
ATTRIBUTE = re.compile(r'[\w-]+="[^"]*"')
ENTITY = re.compile(r"&#?\w+;")
WORD = re.compile(r"[^\W\d_]{2,}")


def _po(language: str) -> Catalog:
    path = CATALOG_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as file:
        return read_po(file, locale=language)


def _keys(catalog: Catalog) -> set[tuple[str | tuple[str, ...], str | None]]:
    return {(message.id, message.context) for message in catalog if message.id}


def test_kiln_speaks_english_and_the_three_translated_languages() -> None:
    assert set(languages()) >= {SOURCE_LANGUAGE, *TRANSLATED}


def test_the_template_catalog_holds_exactly_the_messages_in_the_sources(tmp_path: Path) -> None:
    extracted = tmp_path / "kiln.pot"
    # The same command `make translations` runs.
    command = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg"]
    command += ["-k", "N_", "-c", "Translators:", "--no-location", "-o", str(extracted), "."]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    with extracted.open("rb") as fresh, TEMPLATE.open("rb") as committed:
        missing = _keys(read_po(fresh)) - _keys(read_po(committed))
        fresh.seek(0)
        committed.seek(0)
        stale = _keys(read_po(committed)) - _keys(read_po(fresh))
    assert not missing, f"run `make translations`: messages not in kiln.pot: {sorted(map(str, missing))}"
    assert not stale, f"run `make translations`: kiln.pot holds messages no source has: {sorted(map(str, stale))}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    with TEMPLATE.open("rb") as file:
        wanted = _keys(read_po(file))
    catalog = _po(language)
    assert wanted - _keys(catalog) == set(), f"{language}: messages missing, run `make translations`"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"{language}: fuzzy entries: {fuzzy}"
    untranslated = [m.id for m in catalog if m.id and not all(_forms(m.string))]
    assert not untranslated, f"{language}: untranslated: {untranslated}"
    obsolete = list(catalog.obsolete)
    assert not obsolete, f"{language}: obsolete entries left: {obsolete}"


def _forms(string: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if isinstance(string, tuple):
        return string
    return (string or "",)


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_every_placeholder_and_the_plural_forms_of_the_language(language: str) -> None:
    catalog = _po(language)
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog.check() if errors]
    assert not problems, f"{language}: {problems}"
    for message in catalog:
        if message.id and message.pluralizable:
            assert len(message.string) == catalog.num_plurals, f"{language}: {message.id} needs every plural form"


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalog_matches_its_source(language: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _po(language))
    assert catalog_file(language).read_bytes() == compiled.getvalue(), f"{language}: run `make translations`"


def _literal_text(source: str) -> str:
    """Return a template's literal text outside Jinja's tags and outside {% trans %} blocks."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    literal, in_trans, previous = [], False, ""
    for _, token, value in env.lex(source):
        if token == "name" and previous == "block_begin" and value in ("trans", "endtrans"):
            in_trans = value == "trans"
        elif token == "data" and not in_trans:
            literal.append(value)
        previous = token
    return "".join(literal)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_templates_hold_no_readable_text_outside_gettext(template: Path) -> None:
    literal = _literal_text(template.read_text(encoding="utf-8"))
    readable = [*READ_ATTRIBUTES.findall(literal)]
    if template.suffix == ".txt":
        readable.append(literal)
    else:
        readable.append(ATTRIBUTE.sub(" ", TAG.sub(" ", re.sub(r"<!--.*?-->", " ", literal, flags=re.DOTALL))))
    words = {word for text in readable for word in WORD.findall(ENTITY.sub(" ", text))} - ALLOWED_WORDS
    assert not words, f"{template.name}: text outside gettext: {sorted(words)}"


def test_a_stored_reason_reads_in_each_language_with_the_real_catalogs() -> None:
    with speaking("nl"):
        assert reason_text(REMOVED_BY_SOURCE) == "de bron linkt niet meer naar het bericht"
    with speaking("en"):
        assert reason_text(REMOVED_BY_SOURCE) == "the source no longer links to the post"
