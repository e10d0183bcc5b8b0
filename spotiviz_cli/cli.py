"""The command line: each command is a few lines of intent; SpotivizGroup.invoke is the one error boundary."""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from spotiviz_cli import __version__
from spotiviz_cli.errors import EXIT_FAILURE, SpotivizError
from spotiviz_cli.services import Services

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
    services.err.print(f"[bold red]Error:[/] {escape(message)}")


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
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    if not isinstance(ctx.obj, Services):
        ctx.obj = Services()


def _services(ctx: typer.Context) -> Services:
    assert isinstance(ctx.obj, Services)
    return ctx.obj


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

    services = _services(ctx)
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

    services = _services(ctx)
    result = session.logout(services)
    if result.removed_from:
        typer.echo(f"Logged out: removed the login from the {' and the '.join(result.removed_from)}.")
    else:
        typer.echo("Not logged in: nothing to remove.")
    services.notify(
        f"Spotify has no revoke API: to withdraw spotiviz's access entirely, remove it at {result.revoke_url}"
    )


def main() -> None:
    """Entry point of the `spotiviz` script."""
    app(prog_name="spotiviz")
    sys.exit(0)
