"""THE boundary where outside text (names from Spotify or an export, paths, messages) becomes display text.

Outside text is never Rich markup: it reaches a table, panel, error, SVG or HTML only as a `Text` made
here, so `Hits [live]` stays `Hits [live]` and `AC[/]DC` cannot end a command. Control characters are
made visible (an escape sequence in a track name must not retitle or clear the terminal), and the
bidirectional overrides that can disguise text are dropped.
"""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text

_VISIBLE: dict[int, str | None] = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ ... ␟
_VISIBLE.update({ord("\t"): " ", ord("\n"): " ", ord("\r"): " ", 0x7F: "\u2421"})  # ␡
_VISIBLE.update({code: "\ufffd" for code in range(0x80, 0xA0)})  # C1 controls (0x9b is a CSI)
_VISIBLE.update({code: None for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})  # bidi overrides


def clean(text: str) -> str:
    """`text` with control characters made visible and bidirectional overrides dropped."""
    return text.translate(_VISIBLE)


def literal(text: str | None, style: str = "") -> Text:
    """Outside text as display text: shown as it is, never read as markup."""
    return Text(clean(text or ""), style=style)


def names(values: list[str] | tuple[str, ...], style: str = "") -> Text:
    """A list of outside names, joined with commas."""
    return literal(", ".join(values), style)


_JSON_UNSAFE = {
    code: f"\\u{code:04x}"
    for code in (0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
}


def json_text(data: Any) -> str:
    """JSON for stdout: every character kept, but those a terminal acts on escaped (json leaves C1 raw)."""
    return json.dumps(data, indent=2, ensure_ascii=False).translate(_JSON_UNSAFE)
