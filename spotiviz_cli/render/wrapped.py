"""The Wrapped screen and its figures as JSON: Rich renderables built from a Wrapped; nothing prints."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from spotiviz_cli.render.charts import GREEN, Flow, Ranked, bar_chart, clock_chart, panel, side_by_side
from spotiviz_cli.render.tables import duration
from spotiviz_cli.render.text import literal, names
from spotiviz_cli.wrapped import Wrapped

MAX_WIDTH = 100  # a card to share: wider terminals get the same layout, and so does every picture


def share_files(screen: RenderableType, title: str) -> dict[str, str]:
    """The screen as an SVG picture and an HTML page, drawn at MAX_WIDTH in colour whatever the terminal."""
    from html import escape

    share = Console(file=io.StringIO(), width=MAX_WIDTH, record=True, color_system="truecolor")
    share.print(screen)
    page = share.export_html(clear=False).replace("<head>", f"<head>\n<title>{escape(title)}</title>", 1)
    return {"svg": share.export_svg(title=title, clear=False), "html": page}


def _names(items: Sequence[Any], limit: int = 8) -> Text:
    if not items:
        return Text("none this time", style="dim")
    more = len(items) - limit
    return names([item.name for item in items[:limit]]).append(f" and {more} more" if more > 0 else "")


def _track_label(track: Any) -> Text:
    """The track's name in bold, its artists dim: outside text, shown literally."""
    return literal(track.name, "bold").append_text(literal("  " + ", ".join(track.artist_names), "dim"))


def wrapped_screen(report: Wrapped, *, now: datetime) -> RenderableType:
    who = report.user.display_name or report.user.id
    heading_parts = [
        Text("spotiviz Wrapped, now", style=f"bold {GREEN}"),
        literal(who, "bold"),
        Text(report.time_range.period),
        Text(now.astimezone().strftime("%d %b %Y"), style="dim"),
    ]
    heading: list[RenderableType] = [Flow(heading_parts)]
    if report.demo:
        heading.append(Text("Demo data: invented listening, not your account.", style="bold yellow"))

    artists = Ranked(
        [(literal(a.name, "bold" if rank == 1 else ""), "") for rank, a in enumerate(report.top_artists, 1)]
    )
    tracks = Ranked([(_track_label(track), "") for track in report.top_tracks])

    if report.genres:
        genres: RenderableType = bar_chart([(g, share, f"{share:.0%}") for g, share in report.genres])
    else:
        genres = Text("Spotify returned no genres for your top artists.", style="dim")
    if report.decades:
        eras: RenderableType = Group(
            bar_chart([(f"{decade}s", count, str(count)) for decade, count in report.decades]),
            Text(report.era or "", style="italic"),
        )
    else:
        eras = Text("No release dates among your top tracks.", style="dim")

    movers = Table.grid(padding=(0, 1))
    movers.add_column(style="bold", no_wrap=True)
    movers.add_column()
    movers.add_row("Rising", _names(report.rising))
    movers.add_row("Loyal", _names(report.loyal))

    repeat: RenderableType = (
        Ranked([(_track_label(track), f"{plays} plays") for track, plays in report.on_repeat[:5]])
        if report.on_repeat
        else Text("Nothing played twice lately.", style="dim")
    )

    f = report.figures
    numbers = Flow(
        [
            Text.assemble((f"{f.distinct_artists}", f"bold {GREEN}"), " artists in your top tracks"),
            Text.assemble(
                (f"{f.explicit_share:.0%}" if f.explicit_share is not None else "n/a", f"bold {GREEN}"),
                " explicit",
            ),
            Text.assemble(
                (
                    duration(f.average_length_ms) if f.average_length_ms is not None else "n/a",
                    f"bold {GREEN}",
                ),
                " average track length",
            ),
        ],
        sep="   ",
    )
    parts: list[RenderableType] = [
        Panel(Group(*heading), border_style=GREEN),
        side_by_side(panel(artists, "Top artists"), panel(tracks, "Top tracks")),
        side_by_side(panel(genres, "Top genres"), panel(eras, "Eras")),
        panel(movers, "Rising and loyal"),
        side_by_side(
            panel(
                clock_chart(report.clock),
                f"Listening clock, last {sum(report.clock)} play{'' if sum(report.clock) == 1 else 's'}",
            ),
            panel(repeat, "On repeat"),
        ),
        panel(numbers, "Figures"),
    ]
    parts.extend(Text(note, style="dim") for note in report.notes)
    return Group(*parts)


def wrapped_json(report: Wrapped) -> dict[str, Any]:
    """The computed figures (not the raw API data), with stable names documented in the README."""
    f = report.figures
    return {
        "user": {"id": report.user.id, "display_name": report.user.display_name},
        "range": report.time_range.key,
        "period": report.time_range.period,
        "demo": report.demo,
        "top_artists": [{"rank": i, "name": a.name, "id": a.id} for i, a in enumerate(report.top_artists, 1)],
        "top_tracks": [
            {"rank": i, "name": t.name, "artists": t.artist_names, "id": t.id}
            for i, t in enumerate(report.top_tracks, 1)
        ],
        "genres": [{"genre": g, "share": share} for g, share in report.genres],
        "decades": [{"decade": d, "tracks": n} for d, n in report.decades],
        "era": report.era,
        "rising": [a.name for a in report.rising],
        "loyal": [a.name for a in report.loyal],
        "clock": list(report.clock),
        "on_repeat": [{"name": t.name, "artists": t.artist_names, "plays": n} for t, n in report.on_repeat],
        "distinct_artists": f.distinct_artists,
        "explicit_share": f.explicit_share,
        "average_track_ms": f.average_length_ms,
    }
