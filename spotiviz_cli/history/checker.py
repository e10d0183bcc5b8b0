"""The import's second process: checks export files sent by `importers.Checker`, one at a time.

Reads (name, bytes or path, size, max_bytes, latest_ms) messages from standard input until it ends, and
answers each with ("ok", records, rows, skipped) or ("bad", name, why) on standard output.
"""

from __future__ import annotations

import sys
from pathlib import Path

from spotiviz_cli.history.importers import (
    BadExport,
    check,
    file_opener,
    read_limited,
    read_message,
    write_message,
)


def serve() -> None:
    while (message := read_message(sys.stdin.buffer)) is not None:
        name, source, size, max_bytes, latest_ms = message
        try:
            data = (
                source
                if isinstance(source, bytes)
                else read_limited(name, size, file_opener(Path(source)), max_bytes)
            )
            checked = check(name, data, latest_ms)
            answer: tuple[object, ...] = ("ok", checked.records, checked.rows, checked.skipped)
        except BadExport as bad:
            answer = ("bad", bad.file, bad.why)
        write_message(sys.stdout.buffer, answer)


if __name__ == "__main__":
    serve()
