"""login, status and logout."""

from __future__ import annotations

from typing import Annotated

import typer

from spotiviz_cli.cli.common import SpotivizCommand, app, no_demo, print_json, services_of
from spotiviz_cli.errors import SpotivizError, UsageProblem


@app.command(cls=SpotivizCommand)
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
            "--timeout", metavar="SECONDS", help="Give up waiting for the browser after this (1 or more)."
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

    if timeout < 1:
        raise UsageProblem(f"--timeout must be 1 second or more, not {timeout:g}.")
    services = no_demo(ctx, "login")
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


@app.command(cls=SpotivizCommand)
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object (fields below).")] = False,
) -> None:
    """Show who is logged in, where tokens are kept, and when you must log in again.

    Exits 0 when logged in and 4 when not.

    [bold]Fields[/] (--json): logged_in, user, client_id, storage, insecure_storage, scopes,
    access_token_expires_at, login_expires_at, error.

    [bold]Examples[/]

      spotiviz status

      spotiviz status --json | jq .login_expires_at
    """
    from spotiviz_cli import session
    from spotiviz_cli.errors import EXIT_LOGIN
    from spotiviz_cli.render import tables as render

    services = services_of(ctx)
    try:
        report = session.status(services)
    except SpotivizError as exc:
        if as_json:  # scripts get the object whatever happened; the error line follows on stderr
            unknown = session.StatusReport(logged_in=False, storage="unknown")
            print_json(render.status_json(unknown, error=exc.message))
        raise
    if as_json:
        print_json(render.status_json(report))
    else:
        services.out.print(render.status_table(report, now=services.now()))
    if not report.logged_in:
        services.err.print("Not logged in. Run: [bold]spotiviz login[/]")
        raise typer.Exit(EXIT_LOGIN)


@app.command(cls=SpotivizCommand)
def logout(ctx: typer.Context) -> None:
    """Forget the stored Spotify login (keyring entry and any --insecure-storage file).

    Spotify has no API to revoke a login: to withdraw access entirely, remove spotiviz
    at https://www.spotify.com/account/apps/.

    [bold]Example[/]

      spotiviz logout
    """
    from spotiviz_cli import session

    services = no_demo(ctx, "logout")
    result = session.logout(services)
    if result.removed_from:
        typer.echo(f"Logged out: removed the login from the {' and the '.join(result.removed_from)}.")
    else:
        typer.echo("Not logged in: nothing to remove.")
    services.notify(
        f"Spotify has no revoke API: to withdraw spotiviz's access entirely, remove it at {result.revoke_url}"
    )
