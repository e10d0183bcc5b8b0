"""Results -> Rich renderables and JSON-ready dicts. Nothing here prints."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from spotiviz_cli.models import (
    Artist,
    Episode,
    NowPlaying,
    Play,
    SavedTrack,
    TimeRange,
    Track,
    utc_iso,
)
from spotiviz_cli.render.fit import Column, FitTable
from spotiviz_cli.render.text import clean, literal, names

if TYPE_CHECKING:
    from spotiviz_cli.session import StatusReport


def local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def status_json(report: StatusReport, *, error: str | None = None) -> dict[str, Any]:
    """The fixed object of `spotiviz status --json` (documented in the README); `error` says why the
    login could not be read (no keyring, a damaged token file, Spotify unreachable), else null."""
    return {
        "logged_in": report.logged_in,
        "user": {"id": report.user.id, "display_name": report.user.display_name} if report.user else None,
        "client_id": report.client_id,
        "storage": report.storage,
        "insecure_storage": report.insecure_storage,
        "scopes": list(report.scopes),
        "access_token_expires_at": utc_iso(report.access_token_expires_at)
        if report.access_token_expires_at
        else None,
        "login_expires_at": utc_iso(report.login_expires_at) if report.login_expires_at else None,
        "error": error,
    }


def status_table(report: StatusReport, *, now: datetime) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")  # a long scope name folds rather than losing its end
    if report.user is None:
        table.add_row("Logged in", Text("no", style="red"))
        table.add_row("Tokens", literal(report.storage))
        return table
    table.add_row("Logged in as", literal(report.user.label))
    table.add_row("Client ID", literal(report.client_id))
    table.add_row("Tokens", literal(report.storage))
    table.add_row("Scopes", names(report.scopes) if report.scopes else Text("(none reported)"))
    if report.access_token_expires_at:
        left = (report.access_token_expires_at - now).total_seconds()
        table.add_row(
            "Access token",
            f"expires {local(report.access_token_expires_at)} (in {in_words(left)}; renews itself)",
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


# ---------------------------------------------------------------- formatting helpers


def in_words(seconds: float) -> str:
    """A time to come as people say it: "23 min", "24 h", "3 days"."""
    minutes = max(0, round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min"
    hours = round(minutes / 60)
    if hours < 48:
        return f"{hours} h"
    return f"{round(hours / 24)} days"


def duration(ms: int) -> str:
    seconds = max(0, ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def ago(moment: datetime, now: datetime) -> str:
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return f"{days} day ago" if days == 1 else f"{days} days ago"


def _artists(track: Track) -> Text:
    return names(track.artist_names)


def _track_name(track: Track) -> Text:
    text = literal(track.name)
    if track.is_local:
        text.append(" (local)", style="dim")
    return text


def _album(track: Track) -> Text:
    return literal(track.album.name if track.album else "")


# ---------------------------------------------------------------- rows: the JSON and CSV fields


def _track_fields(track: Track) -> dict[str, Any]:
    """The fields every track row shares, in their documented order."""
    return {
        "id": track.id,
        "name": track.name,
        "artists": track.artist_names,
        "album": track.album.name if track.album else None,
        "duration_ms": track.duration_ms,
        "uri": track.uri,
    }


def top_track_rows(tracks: Sequence[Track]) -> list[dict[str, Any]]:
    return [{"rank": rank, **_track_fields(t), "url": t.url} for rank, t in enumerate(tracks, 1)]


def top_artist_rows(artists: Sequence[Artist]) -> list[dict[str, Any]]:
    return [
        {"rank": rank, "id": a.id, "name": a.name, "genres": list(a.genres), "uri": a.uri, "url": a.url}
        for rank, a in enumerate(artists, 1)
    ]


def recent_rows(plays: Sequence[Play]) -> list[dict[str, Any]]:
    return [
        {
            "played_at": utc_iso(p.played_at, "milliseconds"),
            **_track_fields(p.track),
            "context_uri": p.context_uri,
        }
        for p in plays
    ]


def saved_rows(saved: Sequence[SavedTrack]) -> list[dict[str, Any]]:
    return [{"added_at": utc_iso(s.added_at), **_track_fields(s.track)} for s in saved]


def now_json(now_playing: NowPlaying | None) -> dict[str, Any] | None:
    if now_playing is None:
        return None
    item = now_playing.item
    data: dict[str, Any] = {
        "type": "episode" if isinstance(item, Episode) else "track",
        "is_playing": now_playing.is_playing,
        "progress_ms": now_playing.progress_ms,
        "duration_ms": item.duration_ms,
        "name": item.name,
    }
    if isinstance(item, Episode):
        data["show"] = item.show
        data["album"] = None
    else:
        data["artists"] = item.artist_names
        data["album"] = item.album.name if item.album else None
    data["uri"] = item.uri
    data["device"] = now_playing.device
    return data


FIELDS = {
    "top-tracks": ["rank", "id", "name", "artists", "album", "duration_ms", "uri", "url"],
    "top-artists": ["rank", "id", "name", "genres", "uri", "url"],
    "recent": ["played_at", "id", "name", "artists", "album", "duration_ms", "uri", "context_uri"],
    "saved": ["added_at", "id", "name", "artists", "album", "duration_ms", "uri"],
}


def _cell(value: Any) -> Any:
    return clean(value) if isinstance(value, str) else value


def csv_text(rows: Sequence[dict[str, Any]], fields: Sequence[str]) -> str:
    """CSV with a header row; lists are joined with "; ", nulls are empty cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow(
            [
                clean("; ".join(v)) if isinstance(v, list) else ("" if v is None else _cell(v))
                for v in (row[f] for f in fields)
            ]
        )
    return buffer.getvalue()


# ---------------------------------------------------------------- tables


def _titled(title: str, table: RenderableType, caption: str | None = None) -> RenderableType:
    """Title and caption as lines of their own, so a narrow table does not fold them."""
    parts: list[RenderableType] = [Text(title, style="bold"), table]
    if caption:
        parts.append(Text(caption, style="dim"))
    return Group(*parts)


def top_tracks_table(tracks: Sequence[Track], time_range: TimeRange) -> RenderableType:
    table = FitTable(
        [
            Column(
                "#",
                [Text(str(rank)) for rank in range(1, len(tracks) + 1)],
                fixed=True,
                style="dim",
                right=True,
            ),
            Column("Track", [_track_name(t) for t in tracks], style="bold"),
            Column("Artists", [_artists(t) for t in tracks]),
            Column("Album", [_album(t) for t in tracks], drop=1),
            Column("Length", [Text(duration(t.duration_ms)) for t in tracks], fixed=True, right=True),
        ]
    )
    caption = (
        "Spotify has no top tracks for this range yet: listen a little and check back."
        if not tracks
        else None
    )
    return _titled(f"Your top tracks, {time_range.period}", table, caption)


def top_artists_table(artists: Sequence[Artist], time_range: TimeRange) -> RenderableType:
    with_genres = any(a.genres for a in artists)
    columns = [
        Column(
            "#", [Text(str(rank)) for rank in range(1, len(artists) + 1)], fixed=True, style="dim", right=True
        ),
        Column("Artist", [literal(a.name) for a in artists], style="bold"),
    ]
    if with_genres:
        columns.append(Column("Genres", [names(a.genres[:3]) for a in artists], drop=1))
    caption = None
    if not artists:
        caption = "Spotify has no top artists for this range yet: listen a little and check back."
    elif not with_genres:
        caption = "Spotify returned no genres for these artists."
    return _titled(f"Your top artists, {time_range.period}", FitTable(columns), caption)


RECENT_FOOTER = "Spotify keeps only your last 50 plays of 30 seconds or more."


def recent_table(plays: Sequence[Play], now: datetime) -> RenderableType:
    """The recent plays; the footer (RECENT_FOOTER) is a notice, for stderr."""
    when = [p.played_at.astimezone() for p in plays]
    table = FitTable(
        [
            Column(
                "When",
                [Text(m.strftime("%a %d %b %H:%M")) for m in when],
                fixed=True,
                short=[Text(m.strftime("%d %b %H:%M")) for m in when],
            ),
            Column("Ago", [Text(ago(p.played_at, now)) for p in plays], fixed=True, style="dim", drop=2),
            Column("Track", [_track_name(p.track) for p in plays], style="bold"),
            Column("Artists", [_artists(p.track) for p in plays]),
            Column("Album", [_album(p.track) for p in plays], drop=1),
        ]
    )
    return _titled("Recently played", table)


def saved_table(saved: Sequence[SavedTrack]) -> RenderableType:
    table = FitTable(
        [
            Column("Saved", [Text(i.added_at.astimezone().strftime("%Y-%m-%d")) for i in saved], fixed=True),
            Column("Track", [_track_name(i.track) for i in saved], style="bold"),
            Column("Artists", [_artists(i.track) for i in saved]),
            Column("Album", [_album(i.track) for i in saved], drop=1),
            Column(
                "Length",
                [Text(duration(i.track.duration_ms)) for i in saved],
                fixed=True,
                right=True,
                drop=2,
            ),
        ]
    )
    return _titled(f"Your liked songs, newest first ({len(saved)})", table)


def progress_bar(done: int, total: int, width: int = 40) -> Text:
    """A bar that reads the same with and without colour: ━ for played, ─ for the rest."""
    filled = round(width * min(max(done, 0), total) / total) if total > 0 else 0
    return Text.assemble(("━" * filled, "green"), ("─" * (width - filled), "dim"))


@dataclass(frozen=True)
class Progress:
    """The progress bar and `1:44 / 4:20` on one line: the bar takes what the times leave, up to 40."""

    done: int
    total: int

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        times = f" {duration(self.done)} / {duration(self.total)}"
        width = max(5, min(40, options.max_width - len(times)))
        yield progress_bar(self.done, self.total, width).append(times)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        times = len(f" {duration(self.done)} / {duration(self.total)}")
        return Measurement(5 + times, 40 + times)


def now_panel(now_playing: NowPlaying | None) -> RenderableType:
    if now_playing is None:
        return Text("Nothing is playing.")
    item = now_playing.item
    lines = Table.grid(padding=(0, 1))
    lines.add_column()
    lines.add_row(literal(item.name, style="bold"))
    if isinstance(item, Episode):
        lines.add_row(literal(item.show).append(" (podcast episode)"))
    else:
        lines.add_row(names(item.artist_names))
        if item.album:
            lines.add_row(literal(item.album.name, style="dim"))
    lines.add_row(Progress(now_playing.progress_ms, item.duration_ms))
    if now_playing.device:
        lines.add_row(Text("on ", style="dim").append(literal(now_playing.device, style="dim")))
    state = "▶ Now playing" if now_playing.is_playing else "⏸ Paused"
    return Panel(lines, title=state, title_align="left", expand=False)
