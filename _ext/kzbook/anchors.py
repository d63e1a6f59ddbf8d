"""Copyable links are the stable labels.

A heading's permalink ("#") and the page's Contents link to a section's first
id. For a heading written under a label, ``(history-census)=``, docutils puts
the slug of the heading's text first and the label second, so the link a reader
copies changed whenever a heading was reworded. Here the label moves to the
front, before Sphinx collects the page's Contents, so both links use it; the
text slug stays as a second anchor, so old links keep working.
"""

from __future__ import annotations

from docutils import nodes


def labels_first(app, doctree: nodes.document) -> None:
    for section in doctree.findall(nodes.section):
        explicit = [
            doctree.nameids[name]
            for name in section["names"]
            if doctree.nametypes.get(name) and doctree.nameids.get(name) in section["ids"]
        ]
        if explicit and section["ids"][0] not in explicit:
            label = explicit[0]
            section["ids"] = [label] + [i for i in section["ids"] if i != label]
