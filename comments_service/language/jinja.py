"""Jinja's i18n extension wired to Kiln's catalogs, for the theme's environments and the service's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from .catalogs import translations

# Where a template's context names its chrome language; the service's pages leave it to the current language.
LanguageOf = Callable[[Context], str]


def install_gettext(env: Environment, language_of: LanguageOf) -> None:
    """Give env _(), gettext(), ngettext() and pgettext() (new style: autoescaped, with %(name)s values)."""
    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
    # {% trans %} blocks are written across lines: their whitespace is folded as the catalogs have it.
    env.policies["ext.i18n.trimmed"] = True

    @pass_context
    def gettext(context: Context, message: str) -> str:
        return translations(language_of(context)).gettext(message)

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, count: int) -> str:
        return translations(language_of(context)).ngettext(singular, plural, count)

    @pass_context
    def pgettext(context: Context, message_context: str, message: str) -> str:
        return translations(language_of(context)).pgettext(message_context, message)

    @pass_context
    def npgettext(context: Context, message_context: str, singular: str, plural: str, count: int) -> str:
        return translations(language_of(context)).npgettext(message_context, singular, plural, count)

    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext
    )
    # Names go into messages as values: <bdi> keeps a right-to-left name from reordering the sentence.
    env.filters["bdi"] = bdi


def bdi(text: str) -> Markup:
    """Return a name set in a translated sentence as markup that keeps the name's own direction."""
    return Markup("<bdi>{}</bdi>").format(text)


def chrome_of(context: Context) -> str:
    """Return the chrome language a comment region's context carries (render_region passes it as language)."""
    language: Any = context.get("language")
    return str(language.chrome)
