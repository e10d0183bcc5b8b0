"""History figures -> Rich renderables: the `history stats` screen and the Wrapped screen of a year."""

from __future__ import annotations

from datetime import date, datetime

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from spotiviz_cli.history.stats import HistoryStats, best_month
from spotiviz_cli.history.views import WITH_ARTIST, DayInYear, Entry, Forgotten, ItemFigures
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
from spotiviz_cli.render.fit import Column, FitTable
from spotiviz_cli.render.text import clean, literal

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _minutes(value: float) -> str:
    return f"{value:,.0f}"


def _count(count: int, noun: str) -> str:
    """1 play, 2 plays."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def _days(count: int) -> str:
    return _count(count, "day")


def _minutes_of(value: float) -> str:
    """12 minutes; 1 minute."""
    shown = _minutes(value)
    return f"{shown} minute" if shown == "1" else f"{shown} minutes"


def _listened(minutes: float) -> str:
    return " minute listened" if _minutes(minutes) == "1" else " minutes listened"


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
    headline_parts = [Text.assemble((_minutes(stats.minutes), f"bold {GREEN}"), _listened(stats.minutes))]
    if stats.previous is not None and stats.previous.minutes:
        change = (stats.minutes - stats.previous.minutes) / stats.previous.minutes
        headline_parts.append(Text(f"{change:+.0%} on {stats.previous.label}", style="dim"))
    headline = Flow(headline_parts, sep="  ")
    skip = f"{stats.skip_rate:.0%}" if stats.skip_rate is not None else "not recorded"
    figures = Flow(
        [
            Text(phrase, style="dim")
            for phrase in (
                _count(stats.plays, "play"),
                _count(stats.distinct_tracks, "track"),
                _count(stats.distinct_artists, "artist"),
                f"{_days(stats.days_listened)} with music",
                f"longest streak {_days(stats.longest_streak_days)}",
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


# ---------------------------------------------------------------- the views beyond stats


def _change(entry: Entry) -> Text:
    """The move since the previous period: ▲3, ▼2, = or new."""
    if entry.previous_rank is None:
        return Text("new", style=GREEN)
    moved = entry.previous_rank - entry.rank
    if moved > 0:
        return Text(f"▲{moved}", style=GREEN)
    if moved < 0:
        return Text(f"▼{-moved}", style="red")
    return Text("=", style="dim")


HEADERS = {"artists": "Artist", "tracks": "Track", "albums": "Album", "shows": "Show"}
TOP_TITLES = {
    "artists": "Top artists",
    "tracks": "Top tracks",
    "albums": "Top albums",
    "shows": "Top podcasts",
}


def top_screen(entries: list[Entry], what: str, by: str, period_label: str, *, has_previous: bool) -> Group:
    columns = [Column("#", [Text(str(e.rank)) for e in entries], fixed=True, style="dim", right=True)]
    if has_previous:
        columns.append(Column("Was", [_change(e) for e in entries], fixed=True, right=True, drop=2))
    columns.append(Column(HEADERS[what], [literal(e.name) for e in entries], style="bold"))
    if what in WITH_ARTIST:
        columns.append(Column("Artist", [literal(e.artist) for e in entries]))  # wraps, never left out
    # the figure ranked by always stays; the other is the first to go when the table is too wide
    columns.append(
        Column(
            "Minutes",
            [Text(_minutes(e.minutes)) for e in entries],
            fixed=True,
            right=True,
            drop=0 if by == "minutes" else 1,
        )
    )
    columns.append(
        Column(
            "Plays",
            [Text(f"{e.plays:,}") for e in entries],
            fixed=True,
            right=True,
            drop=0 if by == "plays" else 1,
        )
    )
    title = Flow(
        [
            Text(TOP_TITLES[what], style=f"bold {GREEN}"),
            Text(period_label, style="bold"),
            Text(f"by {by}", style="dim"),
        ],
        sep="  ·  ",
    )
    body: RenderableType = (
        FitTable(columns) if entries else Text("Nothing played in this period.", style="dim")
    )
    return Group(title, body)


def item_screen(item: ItemFigures, period_label: str) -> Group:
    """One artist, track or album: its figures, its top tracks and its minutes by month."""
    name = literal(item.name, f"bold {GREEN}")
    if item.artist:
        name.append_text(literal(f"  {item.artist}", "bold"))
    title = Flow([name, Text(period_label, style="bold")], sep="  ·  ")
    noun = {"artist": "artists", "track": "tracks", "album": "albums"}[item.what]
    phrases = [_minutes_of(item.minutes), _count(item.plays, "play")]
    if item.rank is not None:
        phrases.append(f"#{item.rank:,} of your {noun}")
    if item.first_played is not None and item.last_played is not None:
        phrases.append(f"first {item.first_played:%Y-%m-%d}, last {item.last_played:%Y-%m-%d}")
    phrases += [f"{_days(item.days_listened)} with it", f"longest streak {_days(item.longest_streak_days)}"]
    parts: list[RenderableType] = [
        Panel(Group(title, Flow([Text(p, style="dim") for p in phrases])), border_style=GREEN)
    ]
    months = [(month, minutes, _minutes(minutes)) for month, minutes in item.by_month.items()]
    chart = panel(bar_chart(months[-24:]) if months else Text("-"), "Minutes by month")
    if item.top_tracks:
        tracks = panel(_top_table([(n, "", m, p) for n, m, p in item.top_tracks], False), "Top tracks")
        parts.append(side_by_side(tracks, chart))
    else:
        parts.append(chart)
    if len(months) > 24:
        parts.append(Text(f"Minutes by month shows the last 24 of {len(months)} months.", style="dim"))
    return Group(*parts)


def forgotten_screen(entries: list[Forgotten], since_label: str) -> Group:
    title = Flow(
        [
            Text("Forgotten favourites", style=f"bold {GREEN}"),
            Text(f"not played in {since_label}", style="dim"),
        ],
        sep="  ·  ",
    )
    if not entries:
        return Group(title, Text("Every track you played most has been played lately.", style="dim"))
    table = FitTable(
        [
            Column("#", [Text(str(e.rank)) for e in entries], fixed=True, style="dim", right=True),
            Column("Track", [literal(e.name) for e in entries], style="bold"),
            Column("Artist", [literal(e.artist) for e in entries]),
            Column("Plays", [Text(f"{e.plays:,}") for e in entries], fixed=True, right=True),
            Column("Last played", [Text(f"{e.last_played:%Y-%m-%d}") for e in entries], fixed=True, drop=1),
        ]
    )
    return Group(title, table)


def on_this_day_screen(day: date, years: list[DayInYear]) -> Group:
    title = Flow(
        [Text("On this day", style=f"bold {GREEN}"), Text(f"{day:%d %B}", style="bold")], sep="  ·  "
    )
    if not years:
        return Group(title, Text("Nothing played on this day in earlier years.", style="dim"))
    parts: list[RenderableType] = [title]
    for found in years:
        ago = day.year - found.day.year
        plays = _count(found.plays, "play")
        heading = f"{found.day.year} ({ago} year{'s' if ago != 1 else ''} ago) · {_minutes(found.minutes)} min, {plays}"
        tracks = [(t.name, t.artist, t.minutes, t.plays) for t in found.top_tracks]
        parts.append(panel(_top_table(tracks, True), heading))
    return Group(*parts)


def wrapped_year_screen(stats: HistoryStats, year: int) -> Group:
    """`wrapped --year`: the Wrapped of a year of the history, as the yearly recap people share."""
    title = Text.assemble(("spotiviz Wrapped ", f"bold {GREEN}"), (str(year), "bold"))
    headline_parts = [Text.assemble((_minutes(stats.minutes), f"bold {GREEN}"), _listened(stats.minutes))]
    if stats.previous is not None and stats.previous.minutes:
        change = (stats.minutes - stats.previous.minutes) / stats.previous.minutes
        headline_parts.append(Text(f"{change:+.0%} on {stats.previous.label}", style="dim"))
    lines: list[RenderableType] = [title, Flow(headline_parts, sep="  ")]
    if stats.top_artists and stats.top_artist_share is not None:
        top = stats.top_artists[0]
        lines.append(
            Flow(
                [
                    Text("Your top artist: ").append_text(literal(top.name, "bold")),
                    Text(
                        f"{_minutes(top.minutes)} min, {stats.top_artist_share:.0%} of your minutes",
                        style="dim",
                    ),
                ],
                sep="  ",
            )
        )
    artists = [(a.name, "", a.minutes, a.plays) for a in stats.top_artists[:5]]
    songs = Ranked(
        [
            (
                literal(t.name, "bold").append_text(literal(f"  {t.artist}", "dim")),
                f"{_count(t.plays, 'play')}, {_minutes(t.minutes)} min",
            )
            for t in stats.top_tracks[:5]
        ]
    )
    favourites: list[RenderableType] = []
    if stats.top_albums:
        album = stats.top_albums[0]
        favourites.append(
            Text("Album  ", style="dim")
            .append_text(literal(album.name, "bold"))
            .append_text(literal(f"  {album.artist}"))
        )
    if stats.podcasts.top_shows:
        show = stats.podcasts.top_shows[0]
        favourites.append(
            Text("Podcast  ", style="dim")
            .append_text(literal(show.name, "bold"))
            .append(f"  {_minutes(show.minutes)} min", style="dim")
        )
    if stats.discoveries:
        favourites.append(
            Text(f"{stats.new_artists:,} new artists, most of all  ", style="dim").append_text(
                literal(", ".join(d.name for d in stats.discoveries[:3]), "bold")
            )
        )
    moments = [("longest streak", _days(stats.longest_streak_days))]
    if stats.biggest_day is not None:
        moments.append(("biggest day", f"{stats.biggest_day[0]}, {_minutes(stats.biggest_day[1])} min"))
    if stats.longest_session is not None:
        session = stats.longest_session
        moments.append(("longest session", f"{_minutes(session.minutes)} min on {session.start:%Y-%m-%d}"))
    month = best_month(stats)
    if month is not None:
        moments.append(("best month", f"{datetime.strptime(month[0], '%Y-%m'):%B}, {_minutes(month[1])} min"))
    return Group(
        Panel(Group(*lines), border_style=GREEN),
        side_by_side(
            panel(_top_table(artists, False), "Top artists"),
            panel(songs if stats.top_tracks else Text("No plays in this year.", style="dim"), "Top songs"),
        ),
        side_by_side(
            panel(Group(*favourites) if favourites else Text("-", style="dim"), "Favourites"),
            panel(
                Group(*(Flow([Text(what, style="dim"), Text(value)], sep=" ") for what, value in moments)),
                "Moments",
            ),
        ),
        panel(punchcard_chart(stats.punchcard), "When you listen"),
    )
