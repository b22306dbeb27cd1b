"""Avatars without tracking: keyed identicons that reveal no address, and opt-in Gravatar addresses."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import xml.etree.ElementTree as ET

import pytest

from comments_service.blog.identity import avatar_key
from comments_service.rendering.avatars import gravatar_url, identicon_svg

KEY = avatar_key("test secret")
EMAILS = [f"reader{number}@example.org" for number in range(200)]
CELL_RUN = re.compile(r"M(\d) (\d)h(\d)v1H\1z")


def cells(svg: str) -> set[tuple[int, int]]:
    """Return the filled (column, row) cells of an identicon, read back from its path."""
    path = ET.fromstring(svg).find("path")
    if path is None:
        return set()
    d = path.get("d", "")
    # Every byte of d must belong to a run, or the reading below would miss cells.
    assert CELL_RUN.sub("", d) == ""
    return {
        (column, int(row)) for x, row, width in CELL_RUN.findall(d) for column in range(int(x), int(x) + int(width))
    }


def luminance(colour: str) -> float:
    """Return WCAG 2's relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """Return WCAG 2's contrast ratio between two #rrggbb colours."""
    darker, lighter = sorted((luminance(first), luminance(second)))
    return (lighter + 0.05) / (darker + 0.05)


def test_the_same_commenter_gets_the_same_picture_in_every_build() -> None:
    # Pinned: a change here changes every reader's picture on every baked page.
    assert identicon_svg(KEY, "ann@example.org", "Ann") == (
        '<svg class="avatar" aria-hidden="true" focusable="false" width="40" height="40" viewBox="0 0 5 5">'
        '<rect width="5" height="5" fill="#edf6f8"/><path fill="#277286" '
        'd="M0 0h1v1H0zM2 0h1v1H2zM4 0h1v1H4zM0 1h5v1H0zM0 2h2v1H0zM3 2h2v1H3zM0 3h5v1H0zM0 4h2v1H0zM3 4h2v1H3z"/>'
        "</svg>"
    )


def test_email_case_and_spaces_do_not_change_the_picture() -> None:
    assert identicon_svg(KEY, "  Ann@Example.ORG\n", "Someone") == identicon_svg(KEY, "ann@example.org", "Ann")


def test_different_emails_get_different_pictures() -> None:
    pictures = {identicon_svg(KEY, email, "Same Name") for email in EMAILS}
    grids = {frozenset(cells(picture)) for picture in pictures}
    assert len(pictures) >= 198
    # Colour alone must not carry the difference: the patterns differ too.
    assert len(grids) >= 190


def test_another_site_key_gives_another_picture() -> None:
    other = avatar_key("another site's secret")
    assert all(identicon_svg(KEY, email, "") != identicon_svg(other, email, "") for email in EMAILS[:50])


@pytest.mark.parametrize("email", ["ann@example.org", "Bob.Smith+comments@Mail.Example.com "])
def test_the_picture_gives_no_address_or_its_plain_hash_away(email: str) -> None:
    address = email.strip().lower()
    svg = identicon_svg(KEY, email, "Ann").lower()
    for secret in (address, address.split("@")[0], hashlib.md5(address.encode()).hexdigest()):
        assert secret not in svg
    sha256 = hashlib.sha256(address.encode()).hexdigest()
    # Not even a piece of the hash Gravatar would look the address up by.
    assert not any(sha256[i : i + 6] in svg for i in range(len(sha256) - 5))


def test_the_picture_is_xml_without_style_or_ids() -> None:
    for email in EMAILS[:50]:
        root = ET.fromstring(identicon_svg(KEY, email, ""))
        assert root.tag == "svg"
        assert root.get("aria-hidden") == "true"
        assert [element.tag for element in root.iter()][:2] == ["svg", "rect"]
        for element in root.iter():
            assert element.tag != "style"
            assert "style" not in element.attrib
            assert "id" not in element.attrib


def test_the_grid_is_a_mirrored_five_by_five() -> None:
    drawn = [cells(identicon_svg(KEY, email, "")) for email in EMAILS]
    for grid in drawn:
        assert all(0 <= column < 5 and 0 <= row < 5 for column, row in grid)
        assert grid == {(4 - column, row) for column, row in grid}
    # Every one of the fifteen deciding cells is sometimes on and sometimes off.
    for column in range(3):
        for row in range(5):
            assert 0 < sum((column, row) in grid for grid in drawn) < len(drawn)


def test_the_shape_stands_out_from_its_background() -> None:
    foregrounds = set()
    for number in range(2000):
        root = ET.fromstring(identicon_svg(KEY, f"reader{number}@example.net", ""))
        rect, path = root.find("rect"), root.find("path")
        assert rect is not None
        if path is None:
            continue
        background, foreground = rect.get("fill", ""), path.get("fill", "")
        assert contrast(foreground, background) >= 3, (foreground, background)
        foregrounds.add(foreground)
    # The check ran over the whole colour wheel, yellows included, not a few lucky hues.
    assert len(foregrounds) > 300


def test_without_email_the_name_decides_the_picture() -> None:
    decomposed = unicodedata.normalize("NFD", "Zoë Straße")
    assert identicon_svg(KEY, "", decomposed) == identicon_svg(KEY, "", "ZOË STRASSE")
    assert identicon_svg(KEY, "   ", "Zoë Straße") == identicon_svg(KEY, "", "Zoë Straße")
    assert identicon_svg(KEY, "", "Zoë") != identicon_svg(KEY, "", "Ann")
    assert identicon_svg(KEY, "zoe@example.org", "Zoë") != identicon_svg(KEY, "", "Zoë")


def test_a_key_too_short_to_be_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="avatar_key"):
        identicon_svg("00" * 8, "ann@example.org", "Ann")


def test_gravatar_url_uses_the_sha256_of_the_normalised_address() -> None:
    digest = hashlib.sha256(b"ann@example.org").hexdigest()
    assert gravatar_url(" Ann@Example.org ") == f"https://gravatar.com/avatar/{digest}?s=80&d=identicon"
    assert gravatar_url("ann@example.org", size=48) == f"https://gravatar.com/avatar/{digest}?s=48&d=identicon"


@pytest.mark.parametrize("email", ["", "  \n"])
def test_gravatar_url_is_none_without_email(email: str) -> None:
    assert gravatar_url(email) is None


def test_avatar_key_is_derived_not_the_secret() -> None:
    key = avatar_key("test secret")
    assert key == avatar_key(b"test secret")
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert b"test secret".hex() not in key
    assert key != avatar_key("test secret ")


def test_avatar_key_refuses_an_empty_secret() -> None:
    with pytest.raises(ValueError):
        avatar_key("")
