"""`spotiviz report`: the figures of a period as one self-contained HTML page with real charts.

The page holds everything it needs: the charting library (Apache ECharts, vendored in `assets/` at a
pinned version with its licence), our chart code and style, and the data as JSON. It asks no other host
for anything: its Content-Security-Policy allows no network at all and only the page's own scripts (by
their hashes), so it opens offline, years later, from a mail attachment.

Every name from the history reaches the page as data: escaped in the HTML tables (`html.escape`), and in
the embedded JSON with `<`, `>` and `&` written as \\u escapes, so no name can close the script element.
The chart code draws names only as text (`textContent`, and tooltips through its own escaping).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import tempfile
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from spotiviz_cli import __version__
from spotiviz_cli.errors import SpotivizError

ECHARTS_VERSION = "6.1.0"  # assets/echarts.min.js: dist/echarts.min.js of the echarts package of that version
ECHARTS_SHA256 = (
    "b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0"  # of that file, as published
)
DATA_ID = "spotiviz-data"
WEEKLY_UP_TO_DAYS = 92  # a period this short draws its timeline by week, a longer one by month


@cache
def _asset(name: str) -> str:
    return (
        resources.files("spotiviz_cli.report").joinpath("assets").joinpath(name).read_text(encoding="utf-8")
    )


def timeline(figures: dict[str, Any]) -> dict[str, Any]:
    """Minutes by month, or by week (Monday first) for a period of WEEKLY_UP_TO_DAYS days or fewer:
    `{unit, labels, minutes}` (a week is labelled by its Monday, ISO date)."""
    since = date.fromisoformat(figures["period"]["since"])
    until = date.fromisoformat(figures["period"]["until"])
    if (until - since).days + 1 > WEEKLY_UP_TO_DAYS:
        months = figures["by_month"]
        return {"unit": "month", "labels": list(months), "minutes": list(months.values())}
    first = since - timedelta(days=since.weekday())
    weeks = {(first + timedelta(weeks=n)).isoformat(): 0.0 for n in range((until - first).days // 7 + 1)}
    for day, minutes in figures["by_day"].items():
        moment = date.fromisoformat(day)
        weeks[(moment - timedelta(days=moment.weekday())).isoformat()] += minutes
    return {"unit": "week", "labels": list(weeks), "minutes": list(weeks.values())}


def report_data(
    figures: dict[str, Any],
    artists_by_month: dict[str, dict[str, float]],
    made: datetime,
    *,
    demo: bool = False,
) -> dict[str, Any]:
    """What the page embeds: `stats` exactly as `history stats --json` gives it, the timeline, and the top
    artists' minutes by month (every month of the period, zeros included)."""
    months = list(figures["by_month"])
    return {
        "spotiviz": __version__,
        "made": made.isoformat(timespec="seconds"),
        "demo": demo,  # invented listening (spotiviz --demo): the page says so
        "stats": figures,
        "timeline": timeline(figures),
        "artists_over_time": {
            "months": months,
            "series": [
                {"name": name, "minutes": [by_month.get(month, 0.0) for month in months]}
                for name, by_month in artists_by_month.items()
            ],
        },
    }


def embedded_json(data: dict[str, Any]) -> str:
    """JSON safe inside a <script> element: no `<`, `>` or `&` (so no `</script>` or `<!--`), nor the
    two line separators JavaScript once treated as line ends."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _minutes(value: float) -> str:
    return f"{value:,.0f}"


def _change(now: float, before: float | None) -> str:
    if not before:
        return ""
    change = (now - before) / before
    kind = "up" if change > 0 else "down" if change < 0 else "same"
    return f'<span class="change {kind}">{change:+.0%}</span>'


def _move(rank: int, previous: int | None, had_previous: bool) -> str:
    if not had_previous:
        return ""
    if previous is None:
        return '<span class="move new">new</span>'
    if previous == rank:
        return '<span class="move same">=</span>'
    if previous > rank:
        return f'<span class="move up">▲{previous - rank}</span>'
    return f'<span class="move down">▼{rank - previous}</span>'


def _top_table(title: str, entries: list[dict[str, Any]], with_artist: bool, had_previous: bool) -> str:
    if not entries:
        return f'<section class="card"><h2>{_e(title)}</h2><p class="empty">Nothing in this period.</p></section>'
    head = "<tr><th>#</th><th>Name</th>" + ("<th>Artist</th>" if with_artist else "")
    head += (
        '<th class="num">Minutes</th><th class="num">Plays</th>'
        + ("<th></th>" if had_previous else "")
        + "</tr>"
    )
    rows = []
    for rank, entry in enumerate(entries, 1):
        cells = [f'<td class="rank">{rank}</td>', f"<td>{_e(entry['name'])}</td>"]
        if with_artist:
            cells.append(f'<td class="dim">{_e(entry["artist"])}</td>')
        cells += [
            f'<td class="num">{_minutes(entry["minutes"])}</td>',
            f'<td class="num">{entry["plays"]:,}</td>',
        ]
        if had_previous:
            cells.append(f"<td>{_move(rank, entry.get('previous_rank'), had_previous)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<section class="card"><h2>{_e(title)}</h2><table><thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _headline(stats: dict[str, Any]) -> str:
    before = stats["previous"] or {}
    figures = [
        ("minutes", _minutes(stats["minutes"]), _change(stats["minutes"], before.get("minutes"))),
        ("plays", f"{stats['plays']:,}", _change(stats["plays"], before.get("plays"))),
        (
            "tracks",
            f"{stats['distinct_tracks']:,}",
            _change(stats["distinct_tracks"], before.get("distinct_tracks")),
        ),
        (
            "artists",
            f"{stats['distinct_artists']:,}",
            _change(stats["distinct_artists"], before.get("distinct_artists")),
        ),
        (
            "days with music",
            f"{stats['days_listened']:,}",
            _change(stats["days_listened"], before.get("days_listened")),
        ),
        ("longest streak (days)", f"{stats['longest_streak_days']:,}", ""),
        (
            "skipped" if stats["skip_rate"] is not None else "skips not recorded",
            "-" if stats["skip_rate"] is None else f"{stats['skip_rate']:.0%}",
            "",
        ),
        ("new artists", f"{stats['new_artists']:,}", ""),
    ]
    cells = "".join(
        f'<div class="figure"><div class="value">{value}{change}</div><div class="label">{_e(label)}</div></div>'
        for label, value, change in figures
    )
    if not before:
        against = ""
    elif before["minutes"]:
        against = f'<p class="dim">Changes against {_e(before["label"])}.</p>'
    else:
        against = f'<p class="dim">Nothing played in {_e(before["label"])} to compare with.</p>'
    return f'<section class="figures">{cells}</section>{against}'


def _moments(stats: dict[str, Any]) -> str:
    lines = []
    sessions = stats["sessions"]
    if sessions["count"]:
        lines.append(
            f"{sessions['count']:,} listening sessions, {_minutes(sessions['average_minutes'])} minutes on average"
        )
        longest = sessions["longest"]
        if longest:
            lines.append(
                f"The longest: {_minutes(longest['minutes'])} minutes, {longest['plays']:,} plays, "
                f"from {_e(longest['start'][:16].replace('T', ' '))} to {_e(longest['end'][:16].replace('T', ' '))}"
            )
    if stats["biggest_day"]:
        lines.append(
            f"Biggest day: {_e(stats['biggest_day']['date'])}, {_minutes(stats['biggest_day']['minutes'])} minutes"
        )
    if stats["top_artist_share"] is not None and stats["top_artists"]:
        lines.append(
            f"{_e(stats['top_artists'][0]['name'])} had {stats['top_artist_share']:.0%} of your minutes; "
            f"your top 10 artists {stats['top10_artists_share']:.0%}"
        )
    items = "".join(f"<li>{line}</li>" for line in lines) or '<li class="empty">No plays in this period.</li>'
    return f'<section class="card"><h2>Moments</h2><ul>{items}</ul></section>'


def _discoveries(stats: dict[str, Any]) -> str:
    found = stats["discoveries"]
    if not found:
        return '<section class="card"><h2>Discoveries</h2><p class="empty">No new artists in this period.</p></section>'
    rows = "".join(
        f'<tr><td>{_e(d["name"])}</td><td class="num">{_minutes(d["minutes"])}</td>'
        f'<td class="dim">{_e(d["first_played"][:10])}</td></tr>'
        for d in found
    )
    return (
        f'<section class="card"><h2>Discoveries</h2><p class="dim">{stats["new_artists"]:,} new artists, '
        f"{stats['new_tracks']:,} new tracks. The new artists you played most:</p><table><thead><tr><th>Artist</th>"
        f'<th class="num">Minutes</th><th>First played</th></tr></thead><tbody>{rows}</tbody></table></section>'
    )


def _podcasts(stats: dict[str, Any]) -> str:
    podcasts = stats["podcasts"]
    if not podcasts["episodes"]:
        return '<section class="card"><h2>Podcasts</h2><p class="empty">No podcast episodes in this period.</p></section>'
    rows = "".join(
        f'<tr><td>{_e(s["name"])}</td><td class="num">{_minutes(s["minutes"])}</td><td class="num">{s["episodes"]:,}</td></tr>'
        for s in podcasts["top_shows"]
    )
    return (
        f'<section class="card"><h2>Podcasts</h2><p class="dim">{_minutes(podcasts["minutes"])} minutes, '
        f'{podcasts["episodes"]:,} episodes.</p><table><thead><tr><th>Show</th><th class="num">Minutes</th>'
        f'<th class="num">Episodes</th></tr></thead><tbody>{rows}</tbody></table></section>'
    )


CHARTS = (  # (id, title): the chart code draws each into its element
    ("timeline", "Minutes over time"),
    ("calendar", "Every day"),
    ("punchcard", "Hour by weekday"),
    ("artists", "Your top artists over time"),
)


def page(data: dict[str, Any]) -> str:
    """The whole HTML page of `report_data`."""
    stats = data["stats"]
    period = stats["period"]
    had_previous = stats["previous"] is not None
    title = f"spotiviz · {period['label']}"
    scripts = [_asset("echarts.min.js"), _asset("report.js")]
    policy = (
        "default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'; "
        f"script-src {' '.join(_hash(script) for script in scripts)}; base-uri 'none'; form-action 'none'"
    )
    charts = "".join(
        f'<section class="card chart-card"><h2>{_e(name)}</h2><div class="chart" id="chart-{key}" data-chart="{key}"></div>'
        + ('<div class="legend" id="legend-artists"></div>' if key == "artists" else "")
        + "</section>"
        for key, name in CHARTS
    )
    made = data["made"][:16].replace("T", " ")
    source = (
        "from spotiviz's demo: invented listening, not a real person's"
        if data.get("demo")
        else "from your own history, on your own machine"
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_e(policy)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="spotiviz {_e(__version__)}">
<title>{_e(title)}</title>
<style>{_asset("report.css")}</style>
</head>
<body>
<header>
<h1><span class="brand">spotiviz</span> {_e(period["label"])}</h1>
<p class="dim">{_e(period["since"])} to {_e(period["until"])} · made {_e(made)} {source}</p>
</header>
<main>
{_headline(stats)}
{charts}
<div class="grid">
{_top_table("Top artists", stats["top_artists"], False, had_previous)}
{_top_table("Top tracks", stats["top_tracks"], True, had_previous)}
{_top_table("Top albums", stats["top_albums"], True, had_previous)}
{_discoveries(stats)}
{_moments(stats)}
{_podcasts(stats)}
</div>
</main>
<footer class="dim">Made by spotiviz {_e(__version__)}. Charts by Apache ECharts {ECHARTS_VERSION}, under the Apache License 2.0 (its notice is in this page's source).
Hover over a bar, a day or an hour for its figure.</footer>
<script type="application/json" id="{DATA_ID}">{embedded_json(data)}</script>
<!-- {_e(_asset("ECHARTS-NOTICE.txt").strip())} -->
<script>{scripts[0]}</script>
<script>{scripts[1]}</script>
</body>
</html>
"""


def default_name(period_label: str) -> str:
    """spotiviz-report-2025.html, spotiviz-report-all-time.html, spotiviz-report-the-last-30-days.html."""
    slug = re.sub(r"[^a-z0-9]+", "-", period_label.lower()).strip("-") or "period"
    return f"spotiviz-report-{slug}.html"


def write_new(path: Path, text: str, *, force: bool) -> None:
    """The whole file or nothing: written beside its place, then moved there in one step."""
    if path.is_dir():
        raise SpotivizError(f"{path} is a folder.", hint="Give a file name: -o FOLDER/report.html")
    if path.exists() and not force:
        raise SpotivizError(
            f"{path} already exists.", hint="Add --force to replace it, or choose another name with -o."
        )
    folder = path.parent
    if not folder.is_dir():
        raise SpotivizError(
            f"The folder {folder} does not exist.", hint="Create it, or choose another place with -o."
        )
    try:
        handle, temporary = tempfile.mkstemp(prefix=".spotiviz-report-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise SpotivizError(
            f"Cannot write in {folder}: {exc.strerror}.", hint="Choose another place with -o."
        ) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise SpotivizError(
            f"Cannot write {path}: {exc.strerror}.", hint="Check the disk and the folder."
        ) from None


def embedded(page_text: str) -> dict[str, Any]:
    """The data a page embeds (tests, and anyone reading a report back)."""
    start = page_text.index(f'<script type="application/json" id="{DATA_ID}">')
    start = page_text.index(">", start) + 1
    data: dict[str, Any] = json.loads(page_text[start : page_text.index("</script>", start)])
    return data
