"""Outside text made safe as plain strings: for a terminal (`clean`) and for JSON on stdout (`json_text`).

No Rich here, so `--json` output loads none of it; `render.text` builds display text on top of `clean`.
"""

from __future__ import annotations

import json
from typing import Any

_VISIBLE: dict[int, str | None] = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ ... ␟
_VISIBLE.update({ord("\t"): " ", ord("\n"): " ", ord("\r"): " ", 0x7F: "\u2421"})  # ␡
_VISIBLE.update({code: "\ufffd" for code in range(0x80, 0xA0)})  # C1 controls (0x9b is a CSI)
_VISIBLE.update({code: None for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})  # bidi overrides


def clean(text: str) -> str:
    """`text` with control characters made visible and bidirectional overrides dropped."""
    return text.translate(_VISIBLE)


_JSON_UNSAFE = {
    code: f"\\u{code:04x}"
    for code in (0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
}


def json_text(data: Any) -> str:
    """JSON for stdout: every character kept, but those a terminal acts on escaped (json leaves C1 raw)."""
    return json.dumps(data, indent=2, ensure_ascii=False).translate(_JSON_UNSAFE)
