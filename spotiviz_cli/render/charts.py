"""The charts every screen shares: bars, sparkline clock, panels side by side. Nothing here prints."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

GREEN = "#1DB954"
_EIGHTHS = " ▏▎▍▌▋▊▉"
_SPARKS = " ▁▂▃▄▅▆▇█"


def hbar(value: float, maximum: float, width: int) -> Text:
    """A horizontal bar of `width` cells, in eighths of a block."""
    eighths = round(width * 8 * value / maximum) if maximum > 0 else 0
    full, part = divmod(max(0, min(eighths, width * 8)), 8)
    return Text("█" * full + (_EIGHTHS[part] if part else ""), style=GREEN)


def bar_chart(rows: Sequence[tuple[str, float, str]], *, width: int = 14) -> Table:
    """label | bar | value text; fits half of an 80-column screen."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, max_width=13, overflow="ellipsis")
    table.add_column(width=width, no_wrap=True)
    table.add_column(justify="right", style="dim", no_wrap=True)
    maximum = max((value for _, value, _ in rows), default=0)
    for label, value, shown in rows:
        table.add_row(label, hbar(value, maximum, width), shown)
    return table


def clock_chart(hours: Sequence[float]) -> Group:
    """24 columns of sparks, one cell an hour, with hour marks underneath."""
    top = max(hours, default=0)
    line = Text()
    for count in hours:
        level = 0 if not top else max(1 if count else 0, round(8 * count / top))
        line.append(_SPARKS[level], style=GREEN)
    return Group(line, Text("0     6     12    18  23", style="dim"))


def panel(body: RenderableType, title: str) -> Panel:
    return Panel(body, title=f"[bold]{title}[/]", title_align="left", border_style=GREEN, padding=(0, 1))


def side_by_side(*panels: RenderableType) -> Table:
    grid = Table.grid(expand=True, padding=(0, 1))
    for _ in panels:
        grid.add_column(ratio=1)
    grid.add_row(*panels)
    return grid
