"""The charts every screen shares: bars, sparkline clock, panels side by side. Nothing here prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from spotiviz_cli.render.text import literal

GREEN = "#1DB954"
_EIGHTHS = " ▏▎▍▌▋▊▉"
_SPARKS = " ▁▂▃▄▅▆▇█"


def hbar(value: float, maximum: float, width: int) -> Text:
    """A horizontal bar of `width` cells, in eighths of a block."""
    eighths = round(width * 8 * value / maximum) if maximum > 0 else 0
    full, part = divmod(max(0, min(eighths, width * 8)), 8)
    return Text("█" * full + (_EIGHTHS[part] if part else ""), style=GREEN)


@dataclass(frozen=True)
class BarChart:
    """label | bar | figure, one row each. Figures are whole and labels never wrap: a label gives way
    with an ellipsis, then the bar shrinks, whatever the width it is given."""

    rows: Sequence[tuple[str, float, str]]
    bar_width: int = 14
    label_width: int = 13

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        figure_width = max((cell_len(shown) for _, _, shown in self.rows), default=0)
        label_width = min(self.label_width, max((cell_len(label) for label, _, _ in self.rows), default=0))
        room = options.max_width - figure_width - 2
        label_width = max(3, min(label_width, room - 4))
        bar_width = max(1, min(self.bar_width, room - label_width))
        maximum = max((value for _, value, _ in self.rows), default=0)
        for label, value, shown in self.rows:
            line = literal(label)
            line.truncate(label_width, overflow="ellipsis", pad=True)
            line.append(" ")
            line.append_text(hbar(value, maximum, bar_width))
            line.pad_right(label_width + 1 + bar_width - line.cell_len)
            line.append(" " + shown.rjust(figure_width), style="dim")
            yield line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        figure_width = max((cell_len(shown) for _, _, shown in self.rows), default=0)
        label_width = min(self.label_width, max((cell_len(label) for label, _, _ in self.rows), default=0))
        return Measurement(3 + 1 + 1 + 1 + figure_width, label_width + self.bar_width + figure_width + 2)


def bar_chart(rows: Sequence[tuple[str, float, str]], *, width: int = 14) -> BarChart:
    """label | bar | value text; fits half of an 80-column screen, and less."""
    return BarChart(rows, width)


@dataclass(frozen=True)
class Ranked:
    """A top list: rank, name (and detail), figure. The figure is never cut; the name gives way first."""

    rows: Sequence[tuple[Text, str]]  # the label (made by `literal`), the figure ("" for none)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        rank_width = max(2, len(str(len(self.rows))))
        figure_width = max((cell_len(figure) for _, figure in self.rows), default=0)
        label_width = max(1, options.max_width - rank_width - 1 - (figure_width + 1 if figure_width else 0))
        for rank, (label, figure) in enumerate(self.rows, 1):
            line = Text(str(rank).rjust(rank_width), style="dim")
            line.append(" ")
            name = label.copy()
            name.truncate(label_width, overflow="ellipsis", pad=bool(figure_width))
            line.append_text(name)
            if figure_width:
                line.append(" " + figure.rjust(figure_width))
            yield line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        rank_width = max(2, len(str(len(self.rows))))
        figure_width = max((cell_len(figure) for _, figure in self.rows), default=0)
        widest = max((label.cell_len for label, _ in self.rows), default=0)
        fixed = rank_width + 1 + (figure_width + 1 if figure_width else 0)
        return Measurement(fixed + min(widest, 8), fixed + widest)


def clock_chart(hours: Sequence[float]) -> Group:
    """24 columns of sparks, one cell an hour, with hour marks underneath."""
    top = max(hours, default=0)
    line = Text()
    for count in hours:
        level = 0 if not top else max(1 if count else 0, round(8 * count / top))
        line.append(_SPARKS[level], style=GREEN)
    return Group(line, Text("0     6     12    18  23", style="dim"))


_SHADES = " ░▒▓█"
WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def punchcard_chart(punch: Sequence[Sequence[float]]) -> Group:
    """Weekday x hour: one cell an hour, shaded by its share of the busiest hour; reads without colour."""
    top = max((value for day in punch for value in day), default=0)
    lines = []
    for label, day in zip(WEEKDAY_LABELS, punch, strict=False):
        line = Text(f"{label} ", style="dim")
        for value in day:
            level = 0 if not top or not value else max(1, round(4 * value / top))
            line.append(_SHADES[level], style=GREEN)
        lines.append(line)
    lines.append(Text("    0     6     12    18  23", style="dim"))
    return Group(*lines)


_MONTH_INITIALS = "JFMAMJJASOND"


@dataclass(frozen=True)
class CalendarHeatmap:
    """Minutes per day, GitHub style: a block per year, a row per weekday (Monday first), a column per
    week, each day shaded by its share of the busiest day. Under 59 columns a year is drawn as two
    half-year blocks. Days outside [first, last] are blank."""

    by_day: dict[str, float]  # "YYYY-MM-DD" -> minutes
    first: date
    last: date

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        top = max(self.by_day.values(), default=0)
        halves = options.max_width < 5 + 54
        for year in range(self.first.year, self.last.year + 1):
            spans = [(1, 6), (7, 12)] if halves else [(1, 12)]
            for low, high in spans:
                start = max(self.first, date(year, low, 1))
                end = min(
                    self.last,
                    date(year + 1, 1, 1) - timedelta(days=1)
                    if high == 12
                    else date(year, high + 1, 1) - timedelta(days=1),
                )
                if start > end:
                    continue
                yield from self._block(year, start, end, top)

    def _block(self, year: int, start: date, end: date, top: float) -> RenderResult:
        monday = start - timedelta(days=start.weekday())
        weeks = (end - monday).days // 7 + 1
        months = Text(f"{year} ", style="bold")
        for week in range(weeks):
            day = monday + timedelta(weeks=week)
            first_of_month = next(
                (day + timedelta(days=k) for k in range(7) if (day + timedelta(days=k)).day == 1), None
            )
            months.append(
                _MONTH_INITIALS[first_of_month.month - 1]
                if first_of_month and start <= first_of_month <= end
                else " ",
                style="dim",
            )
        yield months
        for weekday, label in enumerate(WEEKDAY_LABELS):
            line = Text(label[:3] + "  ", style="dim")
            for week in range(weeks):
                day = monday + timedelta(days=week * 7 + weekday)
                if not start <= day <= end:
                    line.append(" ")
                    continue
                value = self.by_day.get(day.isoformat(), 0.0)
                level = 0 if not top or not value else max(1, round(4 * value / top))
                line.append(_SHADES[level] if level else "·", style=GREEN if level else "dim")
            yield line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(5 + 27, 5 + 54)


def panel(body: RenderableType, title: str) -> Panel:
    """A screen's panel; `title` is spotiviz's own words, never outside text."""
    return Panel(
        body, title=Text(title, style="bold"), title_align="left", border_style=GREEN, padding=(0, 1)
    )


@dataclass(frozen=True)
class Flow:
    """Phrases joined by `sep`, as many to a line as fit: a line breaks between phrases, never inside one."""

    parts: Sequence[Text]
    sep: str = " · "

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        line: list[Text] = []
        for part in self.parts:
            if line and Text(self.sep).join([*line, part]).cell_len > options.max_width:
                yield Text(self.sep, style="dim").join(line)
                line = []
            line.append(part)
        if line:
            yield Text(self.sep, style="dim").join(line)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        line = Text(self.sep).join(self.parts)
        return Measurement(max((p.cell_len for p in self.parts), default=0), line.cell_len)


STACK_BELOW = 80  # columns: narrower screens show panels one under another


@dataclass(frozen=True)
class SideBySide:
    """Panels in a row, or one under another when the width is below STACK_BELOW."""

    panels: tuple[RenderableType, ...]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width < STACK_BELOW:
            yield from self.panels
            return
        grid = Table.grid(expand=True, padding=(0, 1))
        for _ in self.panels:
            grid.add_column(ratio=1)
        grid.add_row(*self.panels)
        yield grid


def side_by_side(*panels: RenderableType) -> SideBySide:
    return SideBySide(panels)
