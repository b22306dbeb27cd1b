"""A page's top-level comments, fenced with a digest of what they show so that a bake reuses unchanged ones."""

from __future__ import annotations

from functools import cached_property

from jinja2 import pass_context
from jinja2.runtime import Context, Macro
from markupsafe import Markup

from .fences import digest, fenced_pieces
from .thread_view import CommentNode

# Part of every digest: bump it when the code that renders a comment changes its bytes,
# so comments baked by an older release are rendered again instead of reused.
FORMAT = "2"
_OPEN = "<!--kiln:comment:"
_OPEN_END = "-->"
_CLOSE = "<!--/kiln:comment-->"
# The name under which a region's render finds its Reuse in the template context.
CONTEXT_NAME = "kiln_reuse"


class Reuse:
    """What one render of a region may reuse, and the digest of all it depends on besides each comment."""

    def __init__(self, base_values: tuple[object, ...], previous: str) -> None:
        self.base = digest((FORMAT, *base_values))
        self._previous = previous

    @cached_property
    def known(self) -> dict[str, str]:
        """Return the fenced comments of the replaced page, by key (read only by a region that shows comments)."""
        return fenced_pieces(self._previous, _OPEN, _OPEN_END, _CLOSE)

    def release(self) -> None:
        """Let go of the replaced page once the render is done.

        A template's render context can outlive the render in a reference cycle until the
        collector's next full pass; holding a whole page from there kept megabytes per bake.
        """
        self._previous = ""
        self.__dict__.pop("known", None)


def _subtree_values(node: CommentNode, out: list[object]) -> list[object]:
    # The count of replies keeps the flattened tree unambiguous.
    out += [node.id, node.author, node.website, node.body_html, node.created.isoformat()]
    out += [node.by_post_author, node.deleted, node.depth, len(node.children), node.email]
    out += [node.pending, node.own, node.edit_url, node.edit_until]
    for child in node.children:
        _subtree_values(child, out)
    return out


@pass_context
def reuse_comment(context: Context, node: CommentNode, caller: Macro) -> Markup:
    """Template global: the fenced HTML of a top-level comment and its replies, from the old page if unchanged.

    Used as {% call reuse_comment(node) %}...{% endcall %}; the body renders only when
    no piece of the replaced page was rendered from the same values.
    """
    reuse: Reuse = context[CONTEXT_NAME]
    key = digest([reuse.base, *_subtree_values(node, [])])
    known = reuse.known.get(key)
    # A known piece is text this service wrote into its own output folder.
    rendered = Markup(known) if known is not None else caller()
    return Markup(f"{_OPEN}{key}{_OPEN_END}{rendered}{_CLOSE}")
