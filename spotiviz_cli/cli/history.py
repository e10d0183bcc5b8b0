"""The `history` commands: sync, schedule, import and stats of the local listening history."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from spotiviz_cli.cli.common import SpotivizGroup, app, busy, no_demo, print_json, services_of
from spotiviz_cli.errors import UsageProblem
from spotiviz_cli.services import Services

history_app = typer.Typer(
    cls=SpotivizGroup,
    help="Your whole listening history, kept on this machine: sync it, import Spotify's export, see stats.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(history_app, name="history")

CRON_EVERY_30_MIN = "*/30 * * * * {exe} history sync --quiet"


def _spotiviz_exe() -> str:
    import shutil

    return shutil.which("spotiviz") or f"{sys.executable} -m spotiviz_cli"


@history_app.command("sync")
def history_sync(
    ctx: typer.Context,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing unless something fails (for cron).")
    ] = False,
) -> None:
    """Fetch your plays since the last sync and keep them in the local history.

    Spotify keeps only your last 50 plays, so sync at least every few hours; `spotiviz history schedule`
    prints a crontab line and a systemd timer that sync every 30 minutes.

    [bold]Examples[/]

      spotiviz history sync

      spotiviz history schedule
    """
    from spotiviz_cli.history import actions

    services = no_demo(ctx, "history sync")  # invented plays must never land in the real history
    with busy(services, "Fetching your recent plays"):
        result = actions.sync(services)
    if quiet:
        return
    typer.echo(f"Added {result.added} new play{'s' if result.added != 1 else ''} to {result.path}.")
    if result.after_ms is not None and result.fetched >= 50:
        # a full page since the last sync: plays older than those are gone from Spotify
        services.warn(
            "Spotify returned 50 plays, the most it keeps: plays before those may be lost. Sync more often."
        )
    # on stderr; `--quiet`, which the cron line uses, leaves it out
    services.notify("Spotify keeps only your last 50 plays. To sync every 30 minutes, add to `crontab -e`:")
    services.notify("  " + CRON_EVERY_30_MIN.format(exe=_spotiviz_exe()))
    services.notify("(`spotiviz history schedule` prints a systemd timer too)")


@history_app.command("schedule")
def history_schedule() -> None:
    """Print a crontab line and a systemd user timer that run `history sync` every 30 minutes.

    [bold]Examples[/]

      spotiviz history schedule
    """
    exe = _spotiviz_exe()
    typer.echo(
        f"""# cron: run `crontab -e` and add this line
{CRON_EVERY_30_MIN.format(exe=exe)}

# systemd (user): save the two units below, then run
#   systemctl --user daemon-reload && systemctl --user enable --now spotiviz-sync.timer

# ~/.config/systemd/user/spotiviz-sync.service
[Unit]
Description=Sync Spotify plays into the spotiviz history

[Service]
Type=oneshot
ExecStart={exe} history sync --quiet

# ~/.config/systemd/user/spotiviz-sync.timer
[Unit]
Description=Sync Spotify plays every 30 minutes

[Timer]
OnCalendar=*:0/30
Persistent=true

[Install]
WantedBy=timers.target"""
    )


@history_app.command("import")
def history_import(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(help="The export .zip, its folder, or .json files.", metavar="PATH...")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Import Spotify's privacy export: the extended streaming history or the account data.

    Ask for it at https://www.spotify.com/account/privacy/ (it comes by e-mail as a zip). Importing the
    same files twice, or both kinds of export, adds nothing twice. One bad file and nothing is kept.

    [bold]Examples[/]

      spotiviz history import my_spotify_data.zip

      spotiviz history import "Spotify Extended Streaming History/"
    """
    from spotiviz_cli.history import actions

    services = services_of(ctx)
    with _import_progress(services) as progress:
        result = actions.import_paths(services, paths, progress)
    first = _day(result.first_ms)
    last = _day(result.last_ms)
    if as_json:
        print_json(
            {
                "files": result.files,
                "added": result.added,
                "duplicates": result.duplicates,
                "first": first,
                "last": last,
                "database": str(result.path),
            }
        )
        return
    covered = f", covering {first} to {last}" if first else ""
    typer.echo(
        f"Imported {result.files} file{'s' if result.files != 1 else ''}: {result.added:,} plays added, "
        f"{result.duplicates:,} skipped as duplicates{covered}."
    )


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


def _date_option(value: str | None, option: str) -> Any:
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageProblem(f"{option} must be a date like 2025-03-31, not {value!r}.") from None


@history_app.command("stats")
def history_stats(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year", metavar="YYYY", help="One calendar year.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", metavar="DATE", help="From this day (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", metavar="DATE", help="To this day, inclusive (YYYY-MM-DD).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the figures as JSON (fields in the README).")
    ] = False,
) -> None:
    """Minutes, plays, top artists and tracks, streaks and a listening clock for any period of your history.

    Times are in your local time zone (TZ is honoured). Without a period: all of your history.

    [bold]Examples[/]

      spotiviz history stats --year 2025

      spotiviz history stats --since 2026-06-01 --until 2026-08-31 --json
    """
    from spotiviz_cli import render_history
    from spotiviz_cli.history import actions
    from spotiviz_cli.history.stats import stats_json

    services = services_of(ctx)
    figures = actions.history_stats(
        services, year=year, since=_date_option(since, "--since"), until=_date_option(until, "--until")
    )
    if as_json:
        print_json(stats_json(figures))
        return
    services.out.print(
        render_history.history_screen(figures, db_path=str(actions.store_path(services))),
        width=min(services.out.width, 100),
    )
    if figures.plays == 0:
        services.notify(
            "No plays in this period. Fill the history with `spotiviz history import` or `spotiviz history sync`."
        )
