"""Results -> Rich renderables and JSON-ready dicts. Nothing here prints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.table import Table
from rich.text import Text

from spotiviz_cli.session import StatusReport


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z") if moment else None


def local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def status_json(report: StatusReport) -> dict[str, Any]:
    """The fixed object of `spotiviz status --json` (documented in the README)."""
    return {
        "logged_in": report.logged_in,
        "user": {"id": report.user.id, "display_name": report.user.display_name} if report.user else None,
        "client_id": report.client_id,
        "storage": report.storage,
        "insecure_storage": report.insecure_storage,
        "scopes": list(report.scopes),
        "access_token_expires_at": iso(report.access_token_expires_at),
        "login_expires_at": iso(report.login_expires_at),
    }


def status_table(report: StatusReport, *, now: datetime) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    if report.user is None:
        table.add_row("Logged in", Text("no", style="red"))
        table.add_row("Tokens", report.storage)
        return table
    table.add_row("Logged in as", report.user.label)
    table.add_row("Client ID", report.client_id or "")
    table.add_row("Tokens", report.storage)
    table.add_row("Scopes", ", ".join(report.scopes) or "(none reported)")
    if report.access_token_expires_at:
        minutes = max(0, int((report.access_token_expires_at - now).total_seconds() // 60))
        table.add_row(
            "Access token",
            f"expires {local(report.access_token_expires_at)} (in {minutes} min; renews itself)",
        )
    if report.login_expires_at:
        days = (report.login_expires_at - now).days
        style = "yellow" if days < 14 else ""
        table.add_row(
            "Log in again by",
            Text(
                f"{local(report.login_expires_at)} (in {days} days; Spotify ends logins after 6 months)",
                style,
            ),
        )
    return table
