"""A task's documentation (Markdown written by process owners) as safe HTML.

markdown-it-py with raw HTML switched off escapes any tag in the source, and its link check refuses
``javascript:``, ``vbscript:``, ``file:`` and ``data:`` targets, so the output needs no sanitiser.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(["table", "strikethrough"])


def markdown(source: str | None) -> Markup:
    """Render Markdown to HTML that cannot carry scripts or markup of its own."""
    if not source:
        return Markup("")
    return Markup(_MARKDOWN.render(source))
