"""History figures -> Rich renderables: the `history stats` screen and the Wrapped screen of a year."""

from __future__ import annotations

from datetime import date

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from spotiviz_cli.history.stats import HistoryStats
from spotiviz_cli.render.charts import (
    GREEN,
    CalendarHeatmap,
    Flow,
    Ranked,
    bar_chart,
    clock_chart,
    panel,
    punchcard_chart,
    side_by_side,
)
from spotiviz_cli.render.text import clean, literal

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _minutes(value: float) -> str:
    return f"{value:,.0f}"


def _top_table(rows: list[tuple[str, str, float, int]], with_artist: bool) -> RenderableType:
    if not rows:
        return Text("No plays in this period.", style="dim")
    return Ranked(
        [
            (
                literal(name, "bold").append_text(literal(f"  {artist}", "dim"))
                if with_artist
                else literal(name),
                f"{_minutes(minutes)} min",
            )
            for name, artist, minutes, _plays in rows
        ]
    )


def _moments(stats: HistoryStats) -> list[str]:
    """Sessions, the biggest day, discoveries and the top artist's share, as phrases for the headline
    (names made safe with `clean`: these phrases become `Text` as they are)."""
    phrases = []
    longest = stats.longest_session
    if longest is not None:
        phrases.append(f"{stats.session_count:,} sessions")
        phrases.append(f"the longest {_minutes(longest.minutes)} min on {longest.start:%Y-%m-%d}")
    if stats.biggest_day is not None:
        phrases.append(f"biggest day {stats.biggest_day[0]} ({_minutes(stats.biggest_day[1])} min)")
    if stats.new_artists:
        found = clean(", ".join(d.name for d in stats.discoveries[:3]))
        phrases.append(f"{stats.new_artists:,} new artists ({found})")
    if stats.top_artist_share is not None and stats.top_artists:
        phrases.append(f"{clean(stats.top_artists[0].name)}: {stats.top_artist_share:.0%} of your minutes")
    return phrases


HEATMAP_YEARS = 2  # the screen draws the last two calendar years of a longer period (JSON has every day)


def _heatmap(stats: HistoryStats) -> RenderableType | None:
    if not stats.by_day:
        return None
    last = stats.period.last_day
    first = max(stats.period.start.date(), date(last.year - HEATMAP_YEARS + 1, 1, 1))
    title = "Minutes by day" if first == stats.period.start.date() else f"Minutes by day, since {first}"
    return panel(CalendarHeatmap(stats.by_day, first, last), title)


def history_screen(
    stats: HistoryStats, *, wrapped_year: int | None = None, db_path: str | None = None
) -> Group:
    """`history stats`, or with `wrapped_year` the Wrapped screen of that year (minutes on top)."""
    title: RenderableType
    if wrapped_year is not None:
        title = Text.assemble(("spotiviz Wrapped ", f"bold {GREEN}"), (str(wrapped_year), "bold"))
    else:
        title = Flow(
            [Text("Listening history", style=f"bold {GREEN}"), Text(stats.period.label, style="bold")],
            sep="  ·  ",
        )
    headline_parts = [Text.assemble((_minutes(stats.minutes), f"bold {GREEN}"), " minutes listened")]
    if stats.previous is not None and stats.previous.minutes:
        change = (stats.minutes - stats.previous.minutes) / stats.previous.minutes
        headline_parts.append(Text(f"{change:+.0%} on {stats.previous.label}", style="dim"))
    headline = Flow(headline_parts, sep="  ")
    skip = f"{stats.skip_rate:.0%}" if stats.skip_rate is not None else "not recorded"
    figures = Flow(
        [
            Text(phrase, style="dim")
            for phrase in (
                f"{stats.plays:,} plays",
                f"{stats.distinct_tracks:,} tracks",
                f"{stats.distinct_artists:,} artists",
                f"{stats.days_listened:,} days with music",
                f"longest streak {stats.longest_streak_days} days",
                f"skips {skip}",
            )
        ]
    )
    moments = Flow([Text(phrase, style="dim") for phrase in _moments(stats)])
    months = [(month, minutes, _minutes(minutes)) for month, minutes in stats.by_month.items()]
    weekdays = [
        (day, minutes, _minutes(minutes)) for day, minutes in zip(WEEKDAYS, stats.by_weekday, strict=True)
    ]
    parts: list[RenderableType] = [
        Panel(Group(title, headline, figures, moments), border_style=GREEN),
        side_by_side(
            panel(
                _top_table([(a.name, "", a.minutes, a.plays) for a in stats.top_artists], False),
                "Top artists",
            ),
            panel(
                _top_table([(t.name, t.artist, t.minutes, t.plays) for t in stats.top_tracks], True),
                "Top tracks",
            ),
        ),
        side_by_side(
            panel(bar_chart(months[-24:]) if months else Text("-"), "Minutes by month"),
            panel(
                Group(
                    punchcard_chart(stats.punchcard) if stats.punchcard else clock_chart(stats.by_hour),
                    Text(),
                    bar_chart(weekdays),
                ),
                "When you listen",
            ),
        ),
    ]
    heatmap = _heatmap(stats)
    if heatmap is not None:
        parts.append(heatmap)
    shows = [(show.name, "", show.minutes, show.episodes) for show in stats.podcasts.top_shows]
    if stats.top_albums or shows:
        parts.append(
            side_by_side(
                panel(
                    _top_table([(a.name, a.artist, a.minutes, a.plays) for a in stats.top_albums], True),
                    "Top albums",
                ),
                panel(
                    _top_table(shows, False) if shows else Text("No podcasts in this period.", style="dim"),
                    f"Podcasts, {_minutes(stats.podcasts.minutes)} min",
                ),
            )
        )
    if len(months) > 24:
        parts.append(Text(f"Minutes by month shows the last 24 of {len(months)} months.", style="dim"))
    if db_path:
        parts.append(Text("History database: ", style="dim").append_text(literal(db_path, "dim")))
    return Group(*parts)
