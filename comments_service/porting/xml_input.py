"""Read an export's XML with a hardened parser, and walk it by local names and namespaces."""

from __future__ import annotations

from collections.abc import Container, Iterator
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError
from xml.parsers.expat import ErrorString

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse

from .plan import PortingError


def read_xml(path: Path) -> Element:
    """Parse path safely (no entity expansion, no external resources) and return its root."""
    try:
        return parse(str(path)).getroot()
    except ParseError as error:
        line, column = error.position
        # expat counts columns from 0; editors count from 1.
        reason = ErrorString(error.code) if error.code else "malformed XML"
        raise PortingError(f"{path.name}: line {line}, column {column + 1}: {reason}") from error
    except DefusedXmlException as error:
        raise PortingError(f"{path.name}: refused unsafe XML: {error}") from error
    except OSError as error:
        raise PortingError(f"{path}: cannot read the file: {error.strerror}") from error


def split_tag(element: Element) -> tuple[str, str]:
    """Return (namespace, local name) of an element."""
    tag = element.tag
    if isinstance(tag, str) and tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", str(tag)


def children(element: Element, name: str, namespaces: Container[str] = ("",)) -> Iterator[Element]:
    """Yield the direct children called name in one of the namespaces."""
    for child in element:
        namespace, local = split_tag(child)
        if local == name and namespace in namespaces:
            yield child


def child_text(element: Element, name: str, namespaces: Container[str] = ("",)) -> str:
    """Return the text of the first child called name, or ''."""
    for child in children(element, name, namespaces):
        return child.text or ""
    return ""


def attribute(element: Element, name: str, namespace: str) -> str:
    """Return a namespaced attribute's value, or ''."""
    return element.get(f"{{{namespace}}}{name}", "")
