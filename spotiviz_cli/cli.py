"""The command line: each command is a few lines of intent; SpotivizGroup.invoke is the one error boundary."""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from spotiviz_cli import __version__
from spotiviz_cli.errors import EXIT_FAILURE, SpotivizError, UsageProblem
from spotiviz_cli.services import Services

if TYPE_CHECKING:
    from spotiviz_cli.models import TimeRange

EXIT_INTERRUPTED = 130


class SpotivizGroup(TyperGroup):
    """Turns every expected error into one line on stderr and its exit code; never a traceback."""

    def invoke(self, ctx: Any) -> Any:  # a typer.Context; the base class names Typer's private Context
        try:
            return super().invoke(ctx)
        except SpotivizError as exc:
            _report(ctx, exc.message + (f" {exc.hint}" if exc.hint else ""))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            _report(ctx, "Cancelled.", debug=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except (typer.Exit, typer.Abort, typer.TyperException):  # usage errors: Typer reports them (exit 2)
            raise
        except Exception as exc:
            if _debug():
                raise
            _report(
                ctx,
                f"Unexpected {type(exc).__name__}. This is a bug in spotiviz: "
                "run again with SPOTIVIZ_DEBUG=1 and report what it prints.",
            )
            raise typer.Exit(EXIT_FAILURE) from None


def _debug() -> bool:
    return os.environ.get("SPOTIVIZ_DEBUG", "") not in ("", "0")


def _report(ctx: typer.Context, message: str, *, debug: bool = True) -> None:
    from rich.markup import escape

    if debug and _debug():
        traceback.print_exc()
    services = ctx.obj if isinstance(ctx.obj, Services) else Services()
    services.err.print(f"[bold red]Error:[/] {escape(message)}", soft_wrap=True)


app = typer.Typer(
    cls=SpotivizGroup,
    help="Your Spotify listening stats now, in the terminal, instead of once a year.\n\n"
    "Start with [bold]spotiviz login[/], then [bold]spotiviz status[/].",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"spotiviz {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="Use invented sample data: no Spotify account, login, keyring or network needed."
        ),
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    if not isinstance(ctx.obj, Services):
        ctx.obj = Services()
    if demo:
        ctx.obj.demo = True
        ctx.obj.notify("Demo mode: invented sample listening, not a real Spotify account.")


def _services(ctx: typer.Context) -> Services:
    assert isinstance(ctx.obj, Services)
    return ctx.obj


def _no_demo(ctx: typer.Context, command: str) -> Services:
    services = _services(ctx)
    if services.demo:
        raise UsageProblem(
            f"spotiviz {command} does not work in demo mode.",
            hint=f"Run it without --demo: spotiviz {command}",
        )
    return services


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@app.command()
def login(
    ctx: typer.Context,
    client_id: Annotated[
        str | None,
        typer.Option(
            "--client-id", metavar="ID", help="Your Spotify app's client ID (default: $SPOTIFY_CLIENT_ID)."
        ),
    ] = None,
    show_dialog: Annotated[
        bool,
        typer.Option("--show-dialog", help="Always show Spotify's consent screen, e.g. to switch accounts."),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", metavar="SECONDS", min=1, help="Give up waiting for the browser after this."
        ),
    ] = 300,
    no_browser: Annotated[
        bool,
        typer.Option(
            "--no-browser", help="Do not open a browser: print the address, then paste where it ends up."
        ),
    ] = False,
    insecure_storage: Annotated[
        bool,
        typer.Option(
            "--insecure-storage",
            help="Keep tokens in a 0600 file in your config folder instead of the OS keyring.",
        ),
    ] = False,
) -> None:
    """Log in to Spotify in your browser; tokens go to the OS keyring and renew themselves.

    Uses PKCE, or the client-secret flow when SPOTIFY_CLIENT_SECRET is set. Register the redirect URI
    [bold]http://127.0.0.1:3000/api/callback[/] in your Spotify app first (see the README).

    [bold]Examples[/]

      spotiviz login

      spotiviz login --client-id 0123abcd... --show-dialog

      spotiviz login --no-browser     [dim]# over SSH: paste the address the browser ends on[/]
    """
    from spotiviz_cli import session

    services = _no_demo(ctx, "login")
    result = session.login(
        services,
        client_id=client_id,
        show_dialog=show_dialog,
        timeout=timeout,
        no_browser=no_browser,
        insecure_storage=insecure_storage,
    )
    typer.echo(f"Logged in as {result.user.label}")
    services.notify(f"Tokens are kept in the {result.storage}.")


@app.command()
def status(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object (fields in the README).")
    ] = False,
) -> None:
    """Show who is logged in, where tokens are kept, and when you must log in again.

    Exits 0 when logged in and 4 when not.

    [bold]Examples[/]

      spotiviz status

      spotiviz status --json | jq .login_expires_at
    """
    from spotiviz_cli import render, session
    from spotiviz_cli.errors import EXIT_LOGIN

    services = _services(ctx)
    report = session.status(services)
    if as_json:
        _print_json(render.status_json(report))
    else:
        services.out.print(render.status_table(report, now=services.now()))
    if not report.logged_in:
        services.err.print("Not logged in. Run: [bold]spotiviz login[/]")
        raise typer.Exit(EXIT_LOGIN)


@app.command()
def logout(ctx: typer.Context) -> None:
    """Forget the stored Spotify login (keyring entry and any --insecure-storage file).

    Spotify has no API to revoke a login: to withdraw access entirely, remove spotiviz
    at https://www.spotify.com/account/apps/.

    [bold]Example[/]

      spotiviz logout
    """
    from spotiviz_cli import session

    services = _no_demo(ctx, "logout")
    result = session.logout(services)
    if result.removed_from:
        typer.echo(f"Logged out: removed the login from the {' and the '.join(result.removed_from)}.")
    else:
        typer.echo("Not logged in: nothing to remove.")
    services.notify(
        f"Spotify has no revoke API: to withdraw spotiviz's access entirely, remove it at {result.revoke_url}"
    )


# ---------------------------------------------------------------- listening stats

RangeOption = Annotated[
    str,
    typer.Option(
        "--range", "-r", metavar="RANGE", help="short (about 4 weeks, or 4w), medium (6m) or long (1y)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts (fields in the README).")]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV with a header row.")]


def _format(as_json: bool, as_csv: bool) -> str:
    if as_json and as_csv:
        raise UsageProblem("--json and --csv cannot be used together.", hint="Pick one of them.")
    return "json" if as_json else "csv" if as_csv else "table"


def _time_range(text: str) -> TimeRange:
    from spotiviz_cli.models import TimeRange

    try:
        return TimeRange.parse(text)
    except ValueError as exc:
        raise UsageProblem(f"--range: {exc}.", hint="Example: spotiviz top-tracks --range 4w") from None


@contextmanager
def _busy(services: Services, text: str) -> Iterator[None]:
    """A spinner on stderr, only when a person is watching it."""
    if services.err.is_terminal:
        with services.err.status(text):
            yield
    else:
        yield


def _emit(
    services: Services, fmt: str, kind: str, rows: list[dict[str, Any]], table: Callable[[], Any]
) -> None:
    from spotiviz_cli import render

    if fmt == "json":
        _print_json(rows)
    elif fmt == "csv":
        typer.echo(render.csv_text(rows, render.FIELDS[kind]), nl=False)
    else:
        services.out.print(table())


@app.command("top-tracks")
def top_tracks(
    ctx: typer.Context,
    range_: RangeOption = "medium",
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=100, help="How many tracks (1-100).")
    ] = 20,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Your most played tracks over the last 4 weeks, 6 months or year.

    [bold]Examples[/]

      spotiviz top-tracks

      spotiviz top-tracks --range 4w --limit 50

      spotiviz top-tracks --json | jq -r '.[].name'
    """
    from spotiviz_cli import render, session

    services, fmt, time_range = _services(ctx), _format(as_json, as_csv), _time_range(range_)
    with _busy(services, "Fetching your top tracks"), session.authorised_api(services) as api:
        tracks = api.top_tracks(time_range, limit)
    _emit(
        services,
        fmt,
        "top-tracks",
        render.top_track_rows(tracks),
        lambda: render.top_tracks_table(tracks, time_range),
    )


@app.command("top-artists")
def top_artists(
    ctx: typer.Context,
    range_: RangeOption = "medium",
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=100, help="How many artists (1-100).")
    ] = 20,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Your most played artists over the last 4 weeks, 6 months or year, with genres when Spotify has them.

    [bold]Examples[/]

      spotiviz top-artists

      spotiviz top-artists --range long --limit 10

      spotiviz top-artists --csv > artists.csv
    """
    from spotiviz_cli import render, session

    services, fmt, time_range = _services(ctx), _format(as_json, as_csv), _time_range(range_)
    with _busy(services, "Fetching your top artists"), session.authorised_api(services) as api:
        artists = api.top_artists(time_range, limit)
    _emit(
        services,
        fmt,
        "top-artists",
        render.top_artist_rows(artists),
        lambda: render.top_artists_table(artists, time_range),
    )


@app.command()
def recent(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=50, help="How many plays (1-50).")] = 20,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """What you played last, newest first, in your local time.

    Spotify keeps only the last 50 plays (of 30 seconds or more).

    [bold]Examples[/]

      spotiviz recent

      spotiviz recent --limit 50 --json
    """
    from spotiviz_cli import render, session

    services, fmt = _services(ctx), _format(as_json, as_csv)
    with _busy(services, "Fetching your recent plays"), session.authorised_api(services) as api:
        plays = api.recently_played(limit)
    _emit(
        services, fmt, "recent", render.recent_rows(plays), lambda: render.recent_table(plays, services.now())
    )


@app.command()
def now(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The track or podcast episode playing now, with its progress and device.

    [bold]Examples[/]

      spotiviz now

      spotiviz now --json   [dim]# null when nothing plays[/]
    """
    from spotiviz_cli import render, session

    services = _services(ctx)
    with _busy(services, "Asking Spotify what is playing"), session.authorised_api(services) as api:
        playing = api.now_playing()
    if as_json:
        _print_json(render.now_json(playing))
    else:
        services.out.print(render.now_panel(playing))


@app.command()
def saved(
    ctx: typer.Context,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", min=1, help="How many liked songs, newest first (default 20)."),
    ] = None,
    fetch_all: Annotated[
        bool, typer.Option("--all", help="Every liked song (pages are fetched concurrently).")
    ] = False,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Your liked songs, newest first, with when you saved each.

    [bold]Examples[/]

      spotiviz saved

      spotiviz saved --all --csv > liked.csv
    """
    from spotiviz_cli import render, session

    services, fmt = _services(ctx), _format(as_json, as_csv)
    if fetch_all and limit is not None:
        raise UsageProblem("--all and --limit cannot be used together.", hint="Pick one of them.")
    with _busy(services, "Fetching your liked songs"), session.authorised_api(services) as api:
        items = api.saved_tracks(None if fetch_all else (limit or 20))
    _emit(services, fmt, "saved", render.saved_rows(items), lambda: render.saved_table(items))


@app.command()
def wrapped(
    ctx: typer.Context,
    range_: RangeOption = "medium",
    svg: Annotated[
        Path | None, typer.Option("--svg", metavar="FILE", help="Also save the screen as an SVG picture.")
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", metavar="FILE", help="Also save the screen as HTML.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the computed figures as JSON instead.")
    ] = False,
    year: Annotated[
        int | None,
        typer.Option("--year", metavar="YYYY", help="Draw it from your local history for that year instead."),
    ] = None,
) -> None:
    """Your Wrapped, now: top artists and tracks, genres, eras, rising and loyal artists, listening clock.

    Everything comes from what Spotify still lets a personal app read; all requests go out at once.

    [bold]Examples[/]

      spotiviz wrapped

      spotiviz wrapped --range 4w --svg wrapped.svg

      spotiviz wrapped --year 2025   [dim]# from `spotiviz history`, minutes included[/]

      spotiviz --demo wrapped   [dim]# no account needed[/]
    """
    from spotiviz_cli import listening, render_wrapped, session
    from spotiviz_cli import wrapped as figures

    services, time_range = _services(ctx), _time_range(range_)
    if as_json and (svg or html):
        raise UsageProblem(
            "--json prints figures; --svg and --html save the screen.", hint="Use one or the other."
        )
    for target in (svg, html):
        if target is not None and not target.parent.is_dir():
            raise UsageProblem(f"Cannot save to {target}: the folder {target.parent} does not exist.")
    screen: Any
    if year is not None and services.demo:
        raise UsageProblem("wrapped --year does not work in demo mode: it reads your local history.")
    if year is not None:
        from spotiviz_cli import render_history
        from spotiviz_cli.history import actions
        from spotiviz_cli.history.stats import stats_json

        history = actions.history_stats(services, year=year)
        if as_json:
            _print_json(stats_json(history))
            return
        if history.plays == 0:
            raise SpotivizError(
                f"Your local history has no plays in {year}.",
                hint="Import Spotify's export first: spotiviz history import my_spotify_data.zip",
            )
        screen = render_history.history_screen(history, wrapped_year=year)
    else:
        with _busy(services, "Gathering your listening"), session.authorised_api(services) as api:
            inputs = listening.wrapped_inputs(api, time_range)
        report = figures.compute(inputs, demo=services.demo)
        if as_json:
            _print_json(render_wrapped.wrapped_json(report))
            return
        screen = render_wrapped.wrapped_screen(report, now=services.now())
    console = services.out
    console.record = True
    console.print(screen, width=min(console.width, render_wrapped.MAX_WIDTH))
    if svg is not None:
        _save(svg, console.export_svg(title="spotiviz Wrapped", clear=False))
        services.notify(f"Saved {svg}")
    if html is not None:
        _save(html, console.export_html(clear=False))
        services.notify(f"Saved {html}")


def _save(path: Path, text: str) -> None:
    """Write whole or not at all: a temporary file beside the target, then an atomic rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SpotivizError(f"Cannot save {path}: {exc.strerror}.") from None


# ---------------------------------------------------------------- history

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

    services = _no_demo(ctx, "history sync")  # invented plays must never land in the real history
    with _busy(services, "Fetching your recent plays"):
        result = actions.sync(services)
    if quiet:
        return
    typer.echo(f"Added {result.added} new play{'s' if result.added != 1 else ''} to {result.path}.")
    if (
        result.after_ms is not None and result.fetched >= 50
    ):  # a full page since the last sync: a gap is likely
        services.warn(
            "Spotify returned 50 plays, the most it keeps: plays before those may be lost. Sync more often."
        )
    if services.err.is_terminal:
        services.notify(
            "Spotify keeps only your last 50 plays. To sync every 30 minutes, add to `crontab -e`:"
        )
        services.notify("  " + CRON_EVERY_30_MIN.format(exe=_spotiviz_exe()))
        services.notify("(or see `spotiviz history schedule` for a systemd timer)")


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

    services = _services(ctx)
    with _import_progress(services) as progress:
        result = actions.import_paths(services, paths, progress)
    first = _day(result.first_ms)
    last = _day(result.last_ms)
    if as_json:
        _print_json(
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
    from datetime import datetime

    return datetime.fromtimestamp(ms / 1000).date().isoformat() if ms is not None else None


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

    services = _services(ctx)
    figures = actions.history_stats(
        services, year=year, since=_date_option(since, "--since"), until=_date_option(until, "--until")
    )
    if as_json:
        _print_json(stats_json(figures))
        return
    services.out.print(
        render_history.history_screen(figures, db_path=str(actions.store_path(services))),
        width=min(services.out.width, 100),
    )
    if figures.plays == 0:
        services.notify(
            "No plays in this period. Fill the history with `spotiviz history import` or `spotiviz history sync`."
        )


def main() -> None:
    """Entry point of the `spotiviz` script."""
    app(prog_name="spotiviz")
    sys.exit(0)
