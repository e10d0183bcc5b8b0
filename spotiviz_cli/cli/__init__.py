"""The command line: the Typer app (cli.common) with its commands by area, and the `spotiviz` entry point."""

from __future__ import annotations

import sys

from spotiviz_cli.cli import account, history, report, stats  # noqa: F401  (importing registers the commands)
from spotiviz_cli.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the `spotiviz` script."""
    app(prog_name="spotiviz")
    sys.exit(0)
