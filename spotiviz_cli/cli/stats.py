"""The listening-stats commands: top-tracks, top-artists, recent, now, saved and wrapped."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from spotiviz_cli.cli.common import (
    CsvOption,
    JsonOption,
    RangeOption,
    SpotivizCommand,
    app,
    busy,
    check_range,
    emit,
    output_format,
    print_json,
    services_of,
    time_range_of,
)
from spotiviz_cli.errors import SpotivizError, UsageProblem


@app.command("top-tracks", cls=SpotivizCommand)
def top_tracks(
    ctx: typer.Context,
    range_: RangeOption = "medium",
    limit: Annotated[int, typer.Option("--limit", "-n", metavar="N", help="How many tracks, 1 to 100.")] = 20,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Your most played tracks over the last 4 weeks, 6 months or year.

    [bold]Fields[/] (--json, --csv): rank, id, name, artists, album, duration_ms, uri, url.

    [bold]Examples[/]

      spotiviz top-tracks

      spotiviz top-tracks --range 4w --limit 50

      spotiviz top-tracks --json | jq -r '.[].name'
    """
    from spotiviz_cli import session
    from spotiviz_cli.render import tables as render

    services, fmt, time_range = services_of(ctx), output_format(as_json, as_csv), time_range_of(ctx, range_)
    check_range(limit, "--limit", 1, 100)
    with busy(services, "Fetching your top tracks"), session.authorised_api(services) as api:
        tracks = api.top_tracks(time_range, limit)
    emit(
        services,
        fmt,
        "top-tracks",
        render.top_track_rows(tracks),
        lambda: render.top_tracks_table(tracks, time_range),
        asked=limit,
    )


@app.command("top-artists", cls=SpotivizCommand)
def top_artists(
    ctx: typer.Context,
    range_: RangeOption = "medium",
    limit: Annotated[
        int, typer.Option("--limit", "-n", metavar="N", help="How many artists, 1 to 100.")
    ] = 20,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Your most played artists over the last 4 weeks, 6 months or year, with genres when Spotify has them.

    [bold]Fields[/] (--json, --csv): rank, id, name, genres, uri, url.

    [bold]Examples[/]

      spotiviz top-artists

      spotiviz top-artists --range long --limit 10

      spotiviz top-artists --csv > artists.csv
    """
    from spotiviz_cli import session
    from spotiviz_cli.render import tables as render

    services, fmt, time_range = services_of(ctx), output_format(as_json, as_csv), time_range_of(ctx, range_)
    check_range(limit, "--limit", 1, 100)
    with busy(services, "Fetching your top artists"), session.authorised_api(services) as api:
        artists = api.top_artists(time_range, limit)
    emit(
        services,
        fmt,
        "top-artists",
        render.top_artist_rows(artists),
        lambda: render.top_artists_table(artists, time_range),
        asked=limit,
    )


@app.command(cls=SpotivizCommand)
def recent(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", metavar="N", help="How many plays, 1 to 50.")] = 20,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """What you played last, newest first, in your local time.

    Spotify keeps only the last 50 plays (of 30 seconds or more).

    [bold]Fields[/] (--json, --csv): played_at, id, name, artists, album, duration_ms, uri, context_uri.

    [bold]Examples[/]

      spotiviz recent

      spotiviz recent --limit 50 --json
    """
    from spotiviz_cli import session
    from spotiviz_cli.render import tables as render

    services, fmt = services_of(ctx), output_format(as_json, as_csv)
    check_range(limit, "--limit", 1, 50)
    with busy(services, "Fetching your recent plays"), session.authorised_api(services) as api:
        plays = api.recently_played(limit)
    emit(
        services,
        fmt,
        "recent",
        render.recent_rows(plays),
        lambda: render.recent_table(plays, services.now()),
        asked=limit,
    )
    if fmt == "table":
        services.notify(render.RECENT_FOOTER)  # a notice: stderr, so a piped table is only the table


@app.command(cls=SpotivizCommand)
def now(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The track or podcast episode playing now, with its progress and device.

    [bold]Fields[/] (--json): type, is_playing, progress_ms, duration_ms, name, artists or show, album, uri,
    device; null when nothing plays.

    [bold]Examples[/]

      spotiviz now

      spotiviz now --json   [dim]# null when nothing plays[/]
    """
    from spotiviz_cli import session
    from spotiviz_cli.render import tables as render

    services = services_of(ctx)
    with busy(services, "Asking Spotify what is playing"), session.authorised_api(services) as api:
        playing = api.now_playing()
    if as_json:
        print_json(render.now_json(playing))
    else:
        services.out.print(render.now_panel(playing))


@app.command(cls=SpotivizCommand)
def saved(
    ctx: typer.Context,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", metavar="N", help="How many liked songs, newest first (default 20)."),
    ] = None,
    fetch_all: Annotated[
        bool, typer.Option("--all", help="Every liked song (pages are fetched concurrently).")
    ] = False,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Your liked songs, newest first, with when you saved each.

    [bold]Fields[/] (--json, --csv): added_at, id, name, artists, album, duration_ms, uri.

    [bold]Examples[/]

      spotiviz saved

      spotiviz saved --all --csv > liked.csv
    """
    from spotiviz_cli import session
    from spotiviz_cli.render import tables as render

    services, fmt = services_of(ctx), output_format(as_json, as_csv)
    check_range(limit, "--limit", 1)
    if fetch_all and limit is not None:
        raise UsageProblem("--all and --limit cannot be used together.", hint="Pick one of them.")
    with busy(services, "Fetching your liked songs"), session.authorised_api(services) as api:
        items = api.saved_tracks(None if fetch_all else (limit or 20))
    emit(
        services,
        fmt,
        "saved",
        render.saved_rows(items),
        lambda: render.saved_table(items),
        asked=None if fetch_all else (limit or 20),
    )


@app.command(cls=SpotivizCommand)
def wrapped(
    ctx: typer.Context,
    range_: RangeOption = "",  # empty: not given (medium), so that --year can refuse it
    svg: Annotated[
        Path | None, typer.Option("--svg", metavar="FILE", help="Also save the screen as an SVG picture.")
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", metavar="FILE", help="Also save the screen as HTML.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the computed figures as JSON instead (fields below).")
    ] = False,
    year: Annotated[
        int | None,
        typer.Option("--year", metavar="YYYY", help="Draw it from your local history for that year instead."),
    ] = None,
) -> None:
    """Your Wrapped, now: top artists and tracks, genres, eras, rising and loyal artists, listening clock.

    Everything comes from what Spotify still lets a personal app read; all requests go out at once.

    [bold]Fields[/] (--json): user, range, period, demo, top_artists, top_tracks, genres, decades, era,
    rising, loyal, clock, on_repeat, distinct_artists, explicit_share, average_track_ms. With --year: year,
    minutes, previous_minutes, minutes_change, plays, top_artist, top_artists, top_tracks, top_album,
    top_podcast, new_artists, discoveries, longest_streak_days, biggest_day, longest_session, best_month,
    punchcard.

    [bold]Examples[/]

      spotiviz wrapped

      spotiviz wrapped --range 4w --svg wrapped.svg

      spotiviz wrapped --year 2025   [dim]# from your local history, minutes included[/]

      spotiviz --demo wrapped   [dim]# no account needed[/]
    """
    if year is not None and range_:
        raise UsageProblem(
            "--range chooses Spotify's top lists; --year draws a year of your history instead.",
            hint="Use one of them.",
        )
    services = services_of(ctx)
    if as_json and (svg or html):
        raise UsageProblem(
            "--json prints figures; --svg and --html save the screen.", hint="Use one or the other."
        )
    for target, option, suffixes in ((svg, "--svg", (".svg",)), (html, "--html", (".html", ".htm"))):
        if target is not None:
            _check_target(target, option, suffixes)
    screen: Any
    if year is not None:
        from spotiviz_cli.history import actions
        from spotiviz_cli.history.stats import wrapped_year_json

        history = actions.history_stats(services, year=year)
        if as_json:
            print_json(wrapped_year_json(history.figures, year))
            return
        note = history.empty_note()
        if note:
            raise SpotivizError(
                note, hint="Import Spotify's export: spotiviz history import my_spotify_data.zip"
            )
        from spotiviz_cli.render import history as render_history

        screen = render_history.wrapped_year_screen(history.figures, year)
    else:
        from spotiviz_cli import listening, session
        from spotiviz_cli import wrapped as figures
        from spotiviz_cli.render import wrapped as render_wrapped

        time_range = time_range_of(ctx, range_ or "medium")

        with busy(services, "Gathering your listening"), session.authorised_api(services) as api:
            inputs = listening.wrapped_inputs(api, time_range)
        report = figures.compute(inputs, demo=services.demo)
        if as_json:
            print_json(render_wrapped.wrapped_json(report))
            return
        screen = render_wrapped.wrapped_screen(report, now=services.now())
        services.demo_said = report.demo  # the screen says so itself
    from spotiviz_cli.render import wrapped as render_wrapped

    console = services.out
    console.print(screen, width=min(console.width, render_wrapped.MAX_WIDTH))
    if svg is None and html is None:
        return
    title = "spotiviz Wrapped" if year is None else f"spotiviz Wrapped {year}"
    pictures = render_wrapped.share_files(screen, title)  # the same whatever the terminal
    for target, kind in ((svg, "svg"), (html, "html")):
        if target is not None:
            _save(target, pictures[kind])
            services.notify(f"Saved {target}")


def _check_target(target: Path, option: str, suffixes: tuple[str, ...]) -> None:
    """Where a picture is saved: the right kind of name, in a folder that exists, not over a device."""
    if target.suffix.lower() not in suffixes:
        raise UsageProblem(
            f"{option} writes {suffixes[0][1:].upper()}, so its file name must end in {suffixes[0]}, "
            f"not {target.name!r}.",
            hint=f"Example: spotiviz wrapped {option} wrapped{suffixes[0]}",
        )
    if not target.parent.is_dir():
        raise UsageProblem(f"Cannot save to {target}: the folder {target.parent} does not exist.")
    if target.exists() and not target.is_file():
        raise UsageProblem(f"Cannot save to {target}: it is not a regular file.")


def _save(path: Path, text: str) -> None:
    """Write whole or not at all: a temporary file beside the target, then an atomic rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SpotivizError(f"Cannot save {path}: {exc.strerror}.") from None
