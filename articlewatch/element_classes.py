"""lxml.html's element classes, looked up in C instead of in Python.

lxml.html parsers pick each element's Python class (HtmlElement, FormElement, InputElement...)
in `HtmlElementClassLookup.lookup`, a Python method called every time lxml hands an element to
Python: about 5,000 times per article page in trafilatura, 5% of its instructions (callgrind).
`c_element_lookup()` gives the same classes for the same nodes from lxml's C-level lookups (a
tag-name table for the no-namespace elements, defaults for the rest), so the trees are the same
trees with the same methods, only cheaper to walk.
"""

from __future__ import annotations

import functools

import lxml.html
from lxml import etree


@functools.cache
def c_element_lookup() -> etree.ElementNamespaceClassLookup:
    """A C-level lookup that gives each node the class lxml.html's Python lookup would give it."""
    fallback = etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
    lookup = etree.ElementNamespaceClassLookup(fallback)
    by_tag = lookup.get_namespace(None)
    # HTML parsers lower-case tag names, as the Python lookup does before its table lookup.
    for tag, element_class in lxml.html.HtmlElementClassLookup._default_element_classes.items():
        by_tag[tag] = element_class
    return lookup


def use_c_element_lookup(*parsers: etree.HTMLParser) -> None:
    """Have these HTML parsers' trees (and their copies) find element classes in C."""
    for parser in parsers:
        parser.set_element_class_lookup(c_element_lookup())
