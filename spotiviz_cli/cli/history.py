"""The `history` commands: sync, schedule, import and stats of the local listening history."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from spotiviz_cli.cli.common import (
    CsvOption,
    JsonOption,
    SpotivizCommand,
    SpotivizGroup,
    app,
    busy,
    check_range,
    no_demo,
    output_format,
    print_json,
    services_of,
)
from spotiviz_cli.errors import UsageProblem
from spotiviz_cli.services import Services

history_app = typer.Typer(
    cls=SpotivizGroup,
    help="Your whole listening history, kept on this machine: sync it, import Spotify's export, see stats.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(history_app, name="history")

CRON_EVERY_30_MIN = "*/30 * * * *"
# What a scheduled sync needs of this shell's environment (never the client secret: it stays in .env)
CARRIED = (
    "SPOTIVIZ_DATA_DIR", "SPOTIVIZ_CONFIG_DIR", "SPOTIFY_CLIENT_ID", "SPOTIFY_REDIRECT_URI",
    "SPOTIVIZ_ACCOUNTS_URL", "SPOTIVIZ_API_URL", "SPOTIVIZ_KEYRING_TIMEOUT", "SPOTIVIZ_MAX_RETRY_WAIT",
)  # fmt: skip


def _spotiviz_exe() -> list[str]:
    import shutil

    # the command that is running now (.venv/bin/spotiviz is not always on PATH), else the one on PATH
    running = Path(sys.argv[0]) if sys.argv and Path(sys.argv[0]).name == "spotiviz" else None
    found = str(running.absolute()) if running and running.is_file() else shutil.which("spotiviz")
    return [found] if found else [sys.executable, "-m", "spotiviz_cli"]


@history_app.command("sync", cls=SpotivizCommand)
def history_sync(
    ctx: typer.Context,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only warnings and errors (for cron and systemd).")
    ] = False,
) -> None:
    """Fetch your plays since the last sync and keep them in the local history.

    Spotify keeps only your last 50 plays, so sync at least every few hours; [bold]spotiviz history schedule[/]
    prints a systemd timer and a crontab line that sync every 30 minutes. A warning (shown with --quiet too)
    says when more plays than Spotify keeps happened since the last sync.

    [bold]Examples[/]

      spotiviz history sync

      spotiviz history schedule
    """
    from spotiviz_cli.history import actions

    services = no_demo(ctx, "history sync")  # invented plays must never land in the real history
    with busy(services, "Fetching your recent plays"):
        result = actions.sync(services)
    if result.may_have_missed:
        services.warn(
            f"Spotify returned {result.fetched} plays since the last sync, the most it keeps: plays between "
            f"{_moment(result.after_ms)} and {_moment(result.oldest_ms)} may be missing. "
            "Sync more often (spotiviz history schedule), or import Spotify's export to fill the gap."
        )
    if quiet:
        return
    typer.echo(f"Added {result.added} new play{'s' if result.added != 1 else ''} to {result.path}.")
    if result.after_ms is None:  # the first sync: say once how to keep it going
        services.notify(
            "Spotify keeps only your last 50 plays: `spotiviz history schedule` sets up a sync every 30 minutes."
        )


def _moment(ms: int | None) -> str:
    from datetime import datetime

    if ms is None:
        return "?"
    return datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M")


def _systemd_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%") + '"'


def _cron_quote(text: str) -> str:
    import shlex

    return shlex.quote(text).replace("%", "\\%")  # cron reads a bare % as a new line


@history_app.command("schedule", cls=SpotivizCommand)
def history_schedule(ctx: typer.Context) -> None:
    """Print a systemd user timer and a crontab line that run history sync every 30 minutes, unattended.

    They carry what this shell has set (SPOTIVIZ_DATA_DIR and the like) and reach the keyring through your
    session's D-Bus; nothing secret is printed. Output is meant to be copied: it changes nothing itself.

    [bold]Examples[/]

      spotiviz history schedule
    """
    import os

    from spotiviz_cli.history import actions

    services = services_of(ctx)
    settings = services.settings
    exe = _spotiviz_exe()
    env = {key: services.environ[key] for key in CARRIED if services.environ.get(key)}
    cwd = services.cwd or Path.cwd()
    dotenv = any((cwd / name).is_file() for name in (".env", ".env.local"))
    uses_file = settings.token_file.exists()
    # cron starts jobs without the session's D-Bus, where the Secret Service (the keyring) lives
    bus = services.environ.get("DBUS_SESSION_BUS_ADDRESS") or (
        f"unix:path=/run/user/{os.getuid()}/bus" if hasattr(os, "getuid") else ""
    )
    cron_env = dict(env)
    if bus and not uses_file:
        cron_env["DBUS_SESSION_BUS_ADDRESS"] = bus
    log = settings.data_dir / "sync.log"
    cron = " ".join(
        [CRON_EVERY_30_MIN]
        + ([f"cd {_cron_quote(str(cwd))} &&"] if dotenv else [])
        + [f"mkdir -p {_cron_quote(str(log.parent))} &&"]  # for the log, before the first sync makes it
        + [f"{key}={_cron_quote(value)}" for key, value in cron_env.items()]
        + [" ".join(map(_cron_quote, exe)), f"history sync --quiet >> {_cron_quote(str(log))} 2>&1"]
    )
    environment = "".join(f"Environment={_systemd_quote(f'{k}={v}')}\n" for k, v in env.items())
    workdir = f"WorkingDirectory={str(cwd).replace('%', '%%')}\n" if dotenv else ""
    last = actions.last_sync(services)
    keyring_note = (
        "# Tokens are in the token file (--insecure-storage): no keyring or D-Bus needed."
        if uses_file
        else "# The keyring is reached through your session's D-Bus: it must be unlocked (you logged in).\n"
        "# On a server nobody logs in to, run `spotiviz login --insecure-storage` once instead."
    )
    dotenv_note = f"# Settings and any client secret are read from the .env in {cwd}.\n" if dotenv else ""
    typer.echo(
        f"""# Last sync: {last or "never"}
{keyring_note}
{dotenv_note}
# systemd (user), the better choice on Linux: save the two units below, then run
#   systemctl --user daemon-reload && systemctl --user enable --now spotiviz-sync.timer
# Check the last run:  systemctl --user status spotiviz-sync.service
#                      journalctl --user -u spotiviz-sync.service -n 20

# ~/.config/systemd/user/spotiviz-sync.service
[Unit]
Description=Sync Spotify plays into the spotiviz history

[Service]
Type=oneshot
{environment}{workdir}ExecStart={" ".join(map(_systemd_quote, exe))} history sync --quiet

# ~/.config/systemd/user/spotiviz-sync.timer
[Unit]
Description=Sync Spotify plays every 30 minutes

[Timer]
OnCalendar=*:0/30
Persistent=true

[Install]
WantedBy=timers.target

# cron: run `crontab -e` and add this line; check the last run with: tail {log}
{cron}"""
    )


@history_app.command("import", cls=SpotivizCommand)
def history_import(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(help="The export .zip, its folder, or .json files.", metavar="PATH")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON (fields below).")] = False,
) -> None:
    """Import Spotify's privacy export: the extended streaming history or the account data.

    Ask for it at https://www.spotify.com/account/privacy/ (it comes by e-mail as a zip). Importing the
    same files twice, or both kinds of export, adds nothing twice. One bad file and nothing is kept.

    [bold]Fields[/] (--json): files, records, added, duplicates, skipped, ignored_files, first, last,
    database; records = added + duplicates + all skipped.

    [bold]Examples[/]

      spotiviz history import my_spotify_data.zip

      spotiviz history import "Spotify Extended Streaming History/"
    """
    from spotiviz_cli.history import actions

    services = services_of(ctx)
    if services.demo:
        raise UsageProblem(
            "history import does not work in demo mode: it writes your real history.",
            hint="Run it without --demo.",
        )
    with _import_progress(services) as progress:
        result = actions.import_paths(services, paths, progress)
    first, last = _day(result.first_ms), _day(result.last_ms)
    if as_json:
        print_json(
            {
                "files": result.files,
                "records": result.records,
                "added": result.added,
                "duplicates": result.duplicates,
                "skipped": result.skipped,
                "ignored_files": [{"file": i.file, "reason": i.reason} for i in result.ignored_files],
                "first": first,
                "last": last,
                "database": str(result.path),
            }
        )
        return
    files = f"{result.files} file{'s' if result.files != 1 else ''}"
    covered = f", from {first} to {last}" if first else ""
    typer.echo(f"Read {result.records:,} records from {files}{covered}.")
    typer.echo(f"  {result.added:,} added to your history")
    typer.echo(f"  {result.duplicates:,} already there, or the same listen as another source's record")
    for reason, count in result.skipped.items():
        typer.echo(f"  {count:,} left out: {reason}")
    reasons: dict[str, int] = {}
    for ignored in result.ignored_files:
        reasons[ignored.reason] = reasons.get(ignored.reason, 0) + 1
    for reason, count in reasons.items():
        services.notify(f"Ignored {count} file{'s' if count != 1 else ''} ({reason}); --json lists them.")


def _day(ms: int | None) -> str | None:
    from spotiviz_cli.history.stats import local_date

    return local_date(ms).isoformat() if ms is not None else None


@contextmanager
def _import_progress(services: Services) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar per file on stderr, when someone is watching."""
    if not services.err.is_terminal:
        yield None
        return
    from rich.progress import Progress

    with Progress(console=services.err, transient=False) as bar:
        tasks: dict[str, Any] = {}

        def report(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(Path(name.split("!")[-1]).name, total=None)
            if total:
                bar.update(tasks[name], total=total, completed=done)

        yield report


def _month_option(value: str | None) -> tuple[int, int] | None:
    import re

    if value is None:
        return None
    found = re.fullmatch(r"(\d{4})-(\d{1,2})", value.strip())
    if found is None:
        raise UsageProblem(f"--month must be a month like 2025-03, not {value!r}.")
    return int(found[1]), int(found[2])


def _last_option(value: str | None) -> tuple[int, str] | None:
    import re

    if value is None:
        return None
    found = re.fullmatch(r"(\d{1,5})\s*([dwmy])", value.strip().lower())
    if found is None:
        raise UsageProblem(
            f"--last must be a number of days, weeks, months or years like 30d, 12w, 6m or 1y, not {value!r}."
        )
    return int(found[1]), found[2]


def _date_option(value: str | None, option: str) -> Any:
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageProblem(f"{option} must be a date like 2025-03-31, not {value!r}.") from None


YearOption = Annotated[int | None, typer.Option("--year", metavar="YYYY", help="One calendar year.")]
MonthOption = Annotated[str | None, typer.Option("--month", metavar="YYYY-MM", help="One calendar month.")]
LastOption = Annotated[
    str | None,
    typer.Option("--last", metavar="SPAN", help="The last 30d, 12w, 6m or 1y (any number), ending today."),
]
SinceOption = Annotated[
    str | None, typer.Option("--since", metavar="DATE", help="From this day (YYYY-MM-DD).")
]
UntilOption = Annotated[
    str | None, typer.Option("--until", metavar="DATE", help="To this day, inclusive (YYYY-MM-DD).")
]
JsonFields = Annotated[bool, typer.Option("--json", help="Print the figures as JSON (fields below).")]
PERIODS_HELP = "Periods: --year, --month, --last or --since/--until; none: all of your history."


def _choice(
    year: int | None, month: str | None, last: str | None, since: str | None, until: str | None
) -> Any:
    from spotiviz_cli.history import actions

    return actions.PeriodChoice(
        year=year,
        month=_month_option(month),
        last=_last_option(last),
        since=_date_option(since, "--since"),
        until=_date_option(until, "--until"),
    )


def _db_path(services: Services) -> str | None:
    from spotiviz_cli.history import actions

    return None if services.demo else str(actions.store_path(services))


@history_app.command("stats", cls=SpotivizCommand)
def history_stats(
    ctx: typer.Context,
    year: YearOption = None,
    month: MonthOption = None,
    last: LastOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    as_json: JsonFields = False,
) -> None:
    """Minutes, plays, top artists and tracks, streaks and a listening clock for any period of your history.

    Times are in your local time zone (TZ is honoured). Without a period: all of your history.

    [bold]Fields[/] (--json): period, minutes, plays, distinct_tracks, distinct_artists, days_listened,
    longest_streak_days, top_artists, top_tracks, top_albums, by_month, by_day, by_hour, by_weekday,
    punchcard, sessions, top_artist_share, top10_artists_share, biggest_day, new_artists, new_tracks,
    discoveries, podcasts, previous, skip_rate.

    [bold]Examples[/]

      spotiviz history stats --year 2025

      spotiviz history stats --last 30d

      spotiviz history stats --month 2026-06 --json

      spotiviz history stats --since 2026-06-01 --until 2026-08-31
    """
    from spotiviz_cli.history import actions
    from spotiviz_cli.history.stats import stats_json

    services = services_of(ctx)
    choice = _choice(year, month, last, since, until)
    result = actions.history_stats(services, choice=choice)
    if as_json:
        print_json(stats_json(result.figures))
    else:
        from spotiviz_cli.render import history as render_history

        services.out.print(
            render_history.history_screen(result.figures, db_path=_db_path(services)),
            width=min(services.out.width, 100),
        )
    note = result.empty_note()
    if note:
        services.notify(note)


WhatArgument = Annotated[
    str,
    typer.Argument(
        metavar="WHAT",
        help="artists, tracks, albums or shows (podcasts).",
        autocompletion=lambda: ["artists", "tracks", "albums", "shows"],
    ),
]
LimitOption = Annotated[int, typer.Option("--limit", "-n", metavar="N", help="How many (1 to 1000).")]


def _what(value: str) -> str:
    from spotiviz_cli.history.views import WHATS

    what = value.strip().lower()
    what = {
        "podcasts": "shows",
        "artist": "artists",
        "track": "tracks",
        "album": "albums",
        "show": "shows",
    }.get(what, what)
    if what not in WHATS:
        raise UsageProblem(f"WHAT must be artists, tracks, albums or shows, not {value!r}.")
    return what


@history_app.command("top", cls=SpotivizCommand)
def history_top(
    ctx: typer.Context,
    what: WhatArgument,
    by: Annotated[str, typer.Option("--by", metavar="FIGURE", help="minutes or plays.")] = "minutes",
    limit: LimitOption = 20,
    year: YearOption = None,
    month: MonthOption = None,
    last: LastOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Your top artists, tracks, albums or podcasts of any period, with how each moved since the period before.

    [bold]Fields[/] (--json, --csv): rank, previous_rank, name, artist (tracks and albums), minutes, plays.
    previous_rank is the rank by the same figure in the period of the same length just before, or null.

    [bold]Examples[/]

      spotiviz history top artists --year 2025

      spotiviz history top tracks --last 30d --by plays

      spotiviz history top albums --limit 100 --csv > albums.csv
    """
    from spotiviz_cli.history import actions, views
    from spotiviz_cli.render import history as render_history
    from spotiviz_cli.render import tables

    services = services_of(ctx)
    what = _what(what)
    fmt = output_format(as_json, as_csv)
    if by not in ("minutes", "plays"):
        raise UsageProblem(f"--by must be minutes or plays, not {by!r}.")
    check_range(limit, "--limit", 1, actions.MAX_LIMIT)
    chosen, entries = actions.history_top(
        services, what, by=by, limit=limit, choice=_choice(year, month, last, since, until)
    )
    rows = [views.entry_json(e, what) for e in entries]
    if fmt == "json":
        print_json(rows)
    elif fmt == "csv":
        typer.echo(tables.csv_text(rows, list(rows[0]) if rows else _top_fields(what)), nl=False)
    else:
        services.out.print(
            render_history.top_screen(
                entries, what, by, chosen.period.label, has_previous=chosen.before is not None
            )
        )


def _top_fields(what: str) -> list[str]:
    from spotiviz_cli.history.views import WITH_ARTIST

    return (
        ["rank", "previous_rank", "name"] + (["artist"] if what in WITH_ARTIST else []) + ["minutes", "plays"]
    )


def _item_command(
    ctx: typer.Context,
    what: str,
    name: str,
    artist: str | None,
    choice: Any,
    as_json: bool,
) -> None:
    from spotiviz_cli.history import actions, views
    from spotiviz_cli.render import history as render_history

    services = services_of(ctx)
    item = actions.history_item(services, what, name, artist=artist, choice=choice)
    if as_json:
        print_json(views.item_json(item.figures, item.chosen.period))
    else:
        services.out.print(
            render_history.item_screen(item.figures, item.chosen.period.label),
            width=min(services.out.width, 100),
        )
    if item.others:
        shown = ", ".join(item.others[:5])
        services.notify(f"Also by {shown}: choose one with --artist.")


@history_app.command("artist", cls=SpotivizCommand)
def history_artist(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The artist, in any case.")],
    year: YearOption = None,
    month: MonthOption = None,
    last: LastOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    as_json: JsonFields = False,
) -> None:
    """One artist in your history: minutes, plays, rank, first and last play, streak, top tracks, months.

    The name matches in any case; a name that is not there lists the closest ones.

    [bold]Fields[/] (--json): period, name, minutes, plays, rank, first_played, last_played, days_listened,
    longest_streak_days, top_tracks, by_month.

    [bold]Examples[/]

      spotiviz history artist "radiohead"

      spotiviz history artist Björk --year 2025 --json
    """
    _item_command(ctx, "artists", name, None, _choice(year, month, last, since, until), as_json)


ArtistOption = Annotated[
    str | None,
    typer.Option("--artist", metavar="NAME", help="Whose, when several artists have one of that name."),
]


@history_app.command("track", cls=SpotivizCommand)
def history_track(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The track, in any case.")],
    artist: ArtistOption = None,
    year: YearOption = None,
    month: MonthOption = None,
    last: LastOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    as_json: JsonFields = False,
) -> None:
    """One track in your history: minutes, plays, rank, first and last play, streak, months.

    Of several tracks of that name, the one you played most in the period is shown (say --artist to choose).

    [bold]Fields[/] (--json): period, name, artist, minutes, plays, rank, first_played, last_played,
    days_listened, longest_streak_days, by_month.

    [bold]Examples[/]

      spotiviz history track "Karma Police"

      spotiviz history track Hurt --artist "Johnny Cash" --last 1y
    """
    _item_command(ctx, "tracks", name, artist, _choice(year, month, last, since, until), as_json)


@history_app.command("album", cls=SpotivizCommand)
def history_album(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The album, in any case.")],
    artist: ArtistOption = None,
    year: YearOption = None,
    month: MonthOption = None,
    last: LastOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    as_json: JsonFields = False,
) -> None:
    """One album in your history: minutes, plays, rank, first and last play, streak, its top tracks, months.

    [bold]Fields[/] (--json): period, name, artist, minutes, plays, rank, first_played, last_played,
    days_listened, longest_streak_days, top_tracks, by_month.

    [bold]Examples[/]

      spotiviz history album "OK Computer"

      spotiviz history album Blue --artist "Joni Mitchell" --json
    """
    _item_command(ctx, "albums", name, artist, _choice(year, month, last, since, until), as_json)


@history_app.command("rediscover", cls=SpotivizCommand)
def history_rediscover(
    ctx: typer.Context,
    limit: LimitOption = 20,
    not_since: Annotated[
        str,
        typer.Option("--not-since", metavar="SPAN", help="Not played in the last 6m (or 90d, 12w, 2y ...)."),
    ] = "6m",
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Forgotten favourites: your most played tracks of all time that you have not played lately.

    [bold]Fields[/] (--json, --csv): rank, name, artist, plays, minutes, last_played (local time).

    [bold]Examples[/]

      spotiviz history rediscover

      spotiviz history rediscover --not-since 2y --limit 50
    """
    from spotiviz_cli.history import actions, views
    from spotiviz_cli.render import history as render_history
    from spotiviz_cli.render import tables

    services = services_of(ctx)
    fmt = output_format(as_json, as_csv)
    check_range(limit, "--limit", 1, actions.MAX_LIMIT)
    span = _last_option(not_since.strip()) or (6, "m")
    recent, entries = actions.rediscover(services, limit=limit, not_since=span)
    rows = [views.forgotten_json(e) for e in entries]
    if fmt == "json":
        print_json(rows)
    elif fmt == "csv":
        fields = ["rank", "name", "artist", "plays", "minutes", "last_played"]
        typer.echo(tables.csv_text(rows, fields), nl=False)
    else:
        services.out.print(render_history.forgotten_screen(entries, recent.label))


@history_app.command("on-this-day", cls=SpotivizCommand)
def history_on_this_day(
    ctx: typer.Context,
    day: Annotated[
        str | None, typer.Argument(metavar="[DATE]", help="The day (YYYY-MM-DD); today when left out.")
    ] = None,
    as_json: JsonFields = False,
) -> None:
    """What you played on this calendar day in each earlier year.

    [bold]Fields[/] (--json): date, years: [{year, date, minutes, plays, top_tracks}], newest first.

    [bold]Examples[/]

      spotiviz history on-this-day

      spotiviz history on-this-day 2026-12-24
    """
    from datetime import date

    from spotiviz_cli.history import actions, views
    from spotiviz_cli.render import history as render_history

    services = services_of(ctx)
    chosen = _date_option(day, "DATE") if day is not None else date.today()
    years = actions.on_this_day(services, chosen)
    if as_json:
        print_json({"date": chosen.isoformat(), "years": [views.day_json(y) for y in years]})
    else:
        services.out.print(render_history.on_this_day_screen(chosen, years))
