"""THE boundary where outside text (names from Spotify or an export, paths, messages) becomes display text.

Outside text is never Rich markup: it reaches a table, panel, error, SVG or HTML only as a `Text` made
here, so `Hits [live]` stays `Hits [live]` and `AC[/]DC` cannot end a command. Control characters are
made visible (an escape sequence in a track name must not retitle or clear the terminal), and the
bidirectional overrides that can disguise text are dropped.
"""

from __future__ import annotations

from rich.text import Text

from spotiviz_cli.render.plain import clean, json_text

__all__ = ["clean", "json_text", "literal", "names"]


def literal(text: str | None, style: str = "") -> Text:
    """Outside text as display text: shown as it is, never read as markup."""
    return Text(clean(text or ""), style=style)


def names(values: list[str] | tuple[str, ...], style: str = "") -> Text:
    """A list of outside names, joined with commas."""
    return literal(", ".join(values), style)
