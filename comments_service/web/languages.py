"""Which language each answer speaks: a reader's page its post's, a moderator's page their own, else the browser's."""

from __future__ import annotations

from flask import Flask, request

from ..blog.identity import SiteIdentity, identity_of
from ..language.catalogs import SOURCE_LANGUAGE
from ..language.choice import first_supported, supported
from ..language.dates import moment_text, number
from ..language.jinja import install_gettext
from ..language.speaking import current_language, set_language


def post_language(site: SiteIdentity, post_lang: str | None) -> str:
    """Return the language of Kiln's words about a post (its pages, its mail to commenters): forced, else its Lang."""
    return site.page_language(post_lang).chrome


def person_language(site: SiteIdentity, chosen: str | None, browser: str | None = None) -> str:
    """Return a moderator's language: their account's choice, else the site's forced one, the browser's, the site's."""
    return first_supported([chosen, site.language, browser, site.default_language])


def browser_language() -> str | None:
    """Return the browser's most preferred language Kiln speaks ('fr-CH, nl;q=0.5' gives fr), if any."""
    # Werkzeug's best_match prefers an exact tag of lower quality (nl) to a region of a wanted one (fr-CH).
    return next((language for tag, _ in request.accept_languages if (language := supported(tag))), None)


def speak_for_post(app: Flask, post_lang: str | None) -> str:
    """Answer the rest of this request in the language of a post's pages."""
    language = post_language(identity_of(app), post_lang)
    set_language(language)
    return language


def speak_for_person(app: Flask, chosen: str | None) -> str:
    """Answer the rest of this request in a signed-in person's language."""
    language = person_language(identity_of(app), chosen, browser_language())
    set_language(language)
    return language


def _browser_or_site_language(app: Flask) -> str:
    site = identity_of(app)
    return first_supported([site.language, browser_language(), site.default_language])


def init_app(app: Flask) -> None:
    """Give the service's templates gettext in the current language, local dates and numbers; pick a language."""
    install_gettext(app.jinja_env, lambda context: current_language())

    # A date and time as the current language writes it, in the site's time zone.
    app.jinja_env.filters["moment"] = lambda value: moment_text(value, identity_of(app).timezone)
    app.jinja_env.filters["number"] = lambda value: number(value)
    app.jinja_env.globals["current_language"] = current_language
    # Until a view knows the post or the person, the browser's choice (or the forced one) is the best guess;
    # worked out only if something is written before a view decides (a comment's answer mostly never is).
    app.before_request(lambda: set_language(lambda: _browser_or_site_language(app)))
    # A worker thread's next request, or its background work, starts from the source language, not this one's.
    app.teardown_request(lambda error: set_language(SOURCE_LANGUAGE))
