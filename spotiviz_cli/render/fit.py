"""A table that fits its width: names wrap then give way, figures are never cut, the least useful
columns are left out first. Rich alone, so every screen can use it without loading the API client."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table


@dataclass(frozen=True)
class Column:
    """A table column: names wrap, then give way with an ellipsis; figures (`fixed`) are never cut.
    `drop`: 0 for a column that always stays; 1 for the first to be left out when the table does not fit
    its width, 2 for the next, and so on, all before any name is squeezed."""

    header: str
    cells: list[RenderableType]
    fixed: bool = False
    drop: int = 0
    style: str = ""
    right: bool = False
    short: list[RenderableType] | None = None  # shorter cells, for when nothing else is left to drop


@dataclass(frozen=True)
class FitTable:
    """A table that leaves out its least useful columns when it does not fit (40 to 200 columns)."""

    columns: list[Column]

    def _table(self, level: int, *, short: bool = False) -> Table:
        table = Table(expand=False)
        kept = [c for c in self.columns if not c.drop or c.drop > level]
        for column in kept:
            table.add_column(
                column.header,
                style=column.style,
                justify="right" if column.right else "left",
                no_wrap=column.fixed,
                overflow="ellipsis",
            )
        for cells in zip(*((c.short if short and c.short else c.cells) for c in kept), strict=True):
            table.add_row(*cells)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        levels = sorted({c.drop for c in self.columns})
        for level in levels:
            table = self._table(level)
            natural = Measurement.get(console, options.update_width(10_000), table).maximum  # unwrapped
            if natural <= options.max_width:
                yield table
                return
        yield self._table(levels[-1], short=True)
