"""`spotiviz report`: the history of a period as one offline HTML page with charts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from spotiviz_cli.cli.common import SpotivizCommand, app, print_json, services_of
from spotiviz_cli.cli.history import (
    LastOption,
    MonthOption,
    SinceOption,
    UntilOption,
    YearOption,
    _choice,
)
from spotiviz_cli.services import Services


@app.command("report", cls=SpotivizCommand)
def report(
    ctx: typer.Context,
    year: YearOption = None,
    month: MonthOption = None,
    last: LastOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Where to write it (default: spotiviz-report-PERIOD.html here).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
    open_it: Annotated[bool, typer.Option("--open", help="Open it in your browser.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print {path, bytes, period} as JSON.")] = False,
) -> None:
    """Your history of a period as one HTML page with charts: works offline, keep it or send it.

    The page holds everything (charts, data, the charting library): it asks no other host for anything,
    and it is made from your local history alone (no login). Hover over a bar, a day or an hour for its
    figure. Periods: --year, --month, --last or --since/--until; none: all of your history.

    [bold]Examples[/]

      spotiviz report --year 2025 --open

      spotiviz report --last 90d -o ~/Desktop/spring.html

      spotiviz --demo report --open
    """

    from spotiviz_cli import report as report_page
    from spotiviz_cli.history import actions
    from spotiviz_cli.history.stats import stats_json

    services: Services = services_of(ctx)
    choice = _choice(year, month, last, since, until)
    found = actions.history_report(services, choice=choice)
    figures = stats_json(found.stats.figures)
    made = services.now().astimezone()
    data = report_page.report_data(figures, found.artists_by_month, made, demo=services.demo)
    text = report_page.page(data)
    path = (services.cwd or Path.cwd()) / (
        output.expanduser() if output else Path(report_page.default_name(found.stats.figures.period.label))
    )
    report_page.write_new(path, text, force=force)
    size = len(text.encode("utf-8"))
    if as_json:
        print_json({"path": str(path), "bytes": size, "period": data["stats"]["period"]})
    else:
        services.out.print(str(path), markup=False, highlight=False, soft_wrap=True)
    note = found.stats.empty_note()
    if note:
        services.notify(note)
    if open_it and not services.open_browser(path.resolve().as_uri()):
        services.notify(f"Could not open a browser: open {path} yourself.")
