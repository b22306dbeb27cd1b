"""The compiled message catalogs: which languages Kiln speaks, and each one's translations."""

from __future__ import annotations

import gettext
import hashlib
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

# Messages are written in English in the code and templates; each other language has a catalog here.
SOURCE_LANGUAGE = "en"
DOMAIN = "kiln"
CATALOG_DIR = Path(__file__).resolve().parent.parent / "translations"


@cache
def languages() -> tuple[str, ...]:
    """Return the languages Kiln speaks: English and every language with a compiled catalog, sorted."""
    compiled = {path.parent.parent.name for path in CATALOG_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return tuple(sorted(compiled | {SOURCE_LANGUAGE}))


@cache
def translations(language: str) -> gettext.NullTranslations:
    """Return the translations of one of languages(); English (and anything unknown) gets the messages unchanged."""
    if language == SOURCE_LANGUAGE or language not in languages():
        return NullTranslations()
    return Translations.load(str(CATALOG_DIR), [language], DOMAIN)


@cache
def catalog_key(language: str) -> str:
    """Return a digest of a language's compiled catalog, so what was rendered with older wording renders anew."""
    path = catalog_file(language)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def catalog_file(language: str) -> Path:
    """Return the path of a language's compiled catalog."""
    return CATALOG_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
