"""The Typer app, its one error boundary (SpotivizGroup.invoke), the global options, and the helpers
every command shares: services, output format, spinners, JSON."""

from __future__ import annotations

import inspect
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from spotiviz_cli import __version__
from spotiviz_cli.errors import EXIT_FAILURE, SpotivizError, UsageProblem
from spotiviz_cli.services import Services

if TYPE_CHECKING:
    from spotiviz_cli.models import TimeRange

EXIT_INTERRUPTED = 130
DEMO_BANNER = "Demo mode: invented sample listening, not a real Spotify account."


def _for_people(params: list[Any]) -> list[Any]:
    """Help shows a flag as just its name and an argument by its metavar: no `<bool>`, `<list[Path]>`."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
        if param.param_type_name == "argument" and param.metavar:
            param.display_type_rich = lambda ctx: None  # the metavar (PATH) says it already
    return params


def _reflow(text: str | None) -> str | None:
    """A docstring's prose as paragraphs the terminal wraps itself; indented lines (examples) stay."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(
        p if any(line.startswith(" ") for line in p.splitlines()) else " ".join(p.split()) for p in paragraphs
    )


class _ForPeople:
    """Help written for people, for commands and groups alike: prose reflowed, no type placeholders."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["help"] = _reflow(kwargs.get("help"))
        super().__init__(*args, **kwargs)

    def get_params(self, ctx: Any) -> list[Any]:
        return _for_people(super().get_params(ctx))  # type: ignore[misc]


class SpotivizCommand(_ForPeople, TyperCommand):
    """Every spotiviz command."""


class SpotivizGroup(_ForPeople, TyperGroup):
    """Turns every expected error into one line on stderr and its exit code; never a traceback."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Typer's own handling, except that a usage error is one line like every other error, and
        --demo may come anywhere before a `--` (spotiviz top-tracks --demo)."""
        args = _demo_first(list(sys.argv[1:] if args is None else args))
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.Abort:
            _print_error(extra.get("obj"), "Cancelled.")
            sys.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            _quiet_stdout()
            sys.exit(EXIT_FAILURE)
        except typer.TyperException as exc:  # Typer's usage errors: a bad option, a missing argument
            if not hasattr(exc, "format_message"):
                raise
            context = getattr(exc, "ctx", None)
            command = context.command_path if context is not None else "spotiviz"
            _print_error(
                extra.get("obj") or (context.find_root().obj if context is not None else None),
                f"{usage_message(exc.format_message())} See: {command} --help",
            )
            sys.exit(getattr(exc, "exit_code", 2))
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: Any) -> Any:  # a typer.Context; the base class names Typer's private Context
        try:
            result = super().invoke(ctx)
            services = ctx.obj
            if (
                ctx.parent is None
                and isinstance(services, Services)
                and services.demo
                and not services.demo_said
            ):
                # after the output, and only when it worked: nothing is printed before an error
                services.notify(DEMO_BANNER)
            return result
        except SpotivizError as exc:
            _report(ctx, exc.message + (f" {exc.hint}" if exc.hint else ""))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            _report(ctx, "Cancelled.", debug=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:  # the reader went away (`| head`): nothing to say, and nowhere to say it
            _quiet_stdout()
            raise typer.Exit(EXIT_FAILURE) from None
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


def _quiet_stdout() -> None:
    """After a broken pipe, stdout goes nowhere, so Python's last flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (a test's captured stream): nothing to quiet
        pass


def _demo_first(args: list[str]) -> list[str]:
    """--demo is an option of spotiviz itself; wherever it was typed, it is moved before the command."""
    end = args.index("--") if "--" in args else len(args)
    if "--demo" not in args[:end]:
        return args
    return ["--demo", *(a for a in args[:end] if a != "--demo"), *args[end:]]


def _debug() -> bool:
    return os.environ.get("SPOTIVIZ_DEBUG", "") not in ("", "0")


def _report(ctx: typer.Context, message: str, *, debug: bool = True) -> None:
    if debug and _debug():
        traceback.print_exc()
    _print_error(ctx.obj, message)


def _print_error(services: object, message: str) -> None:
    from rich.text import Text

    from spotiviz_cli.render.text import literal

    services = services if isinstance(services, Services) else Services()
    line = Text("Error: ", style="bold red").append_text(literal(message))
    services.err.print(line, highlight=False, soft_wrap=True)


# Typer words its checks for programmers; people get what the option must be
_PLAIN = (
    (re.compile(r".* is not a valid int(?:eger)?", re.DOTALL), "must be a whole number"),
    (re.compile(r".* is not a valid float", re.DOTALL), "must be a number"),
)
_INVALID = re.compile(r"Invalid value for '([^']+)'(?: / '[^']+')*: (.*)", re.DOTALL)


def usage_message(message: str) -> str:
    """Typer's usage error as a sentence for people, on one line."""
    message = " ".join(message.split())
    found = _INVALID.fullmatch(message)
    if found is None:
        return message if message.endswith(".") else message + "."
    option, why = found.groups()
    for pattern, plain in _PLAIN:
        why = pattern.sub(plain, why)
    why = why.rstrip(".")
    return f"{option} {why}." if why.startswith("must") else f"Invalid value for {option}: {why}."


app = typer.Typer(
    name="spotiviz",  # the name errors give the command by, in tests too
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
            "--demo",
            help="Use invented sample data (also SPOTIVIZ_DEMO=1; may come after the command): no Spotify "
            "account, login, keyring, network or history of yours is used.",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    if not isinstance(ctx.obj, Services):
        ctx.obj = Services()
    if demo or _demo_from_environment(ctx.obj):
        ctx.obj.demo = True


def _demo_from_environment(services: Services) -> bool:
    value = services.environ.get("SPOTIVIZ_DEMO", "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise UsageProblem(
        f"SPOTIVIZ_DEMO must be 1 or 0, not {value!r}.", hint="Unset it to use your own account."
    )


def services_of(ctx: typer.Context) -> Services:
    assert isinstance(ctx.obj, Services)
    return ctx.obj


def no_demo(ctx: typer.Context, command: str) -> Services:
    services = services_of(ctx)
    if services.demo:
        raise UsageProblem(
            f"spotiviz {command} does not work in demo mode.",
            hint=f"Run it without --demo: spotiviz {command}",
        )
    return services


def print_json(data: Any) -> None:
    from spotiviz_cli.render.plain import json_text

    typer.echo(json_text(data))


RangeOption = Annotated[
    str,
    typer.Option(
        "--range",
        "-r",
        metavar="RANGE",
        help="short (about 4 weeks, or 4w), medium (6m) or long (1y).",
        autocompletion=lambda: ["short", "medium", "long", "4w", "6m", "1y"],
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a JSON list for scripts (fields below).")]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV with a header row (the same fields).")]


def check_range(value: int | None, option: str, low: int, high: int | None = None) -> None:
    """A number option within its range, said in words (Typer's own check prints `[1<=x<=100]` in help)."""
    if value is None:
        return
    if value < low or (high is not None and value > high):
        words = f"from {low} to {high}" if high is not None else f"{low} or more"
        raise UsageProblem(f"{option} must be {words}, not {value}.")


def output_format(as_json: bool, as_csv: bool) -> str:
    if as_json and as_csv:
        raise UsageProblem("--json and --csv cannot be used together.", hint="Pick one of them.")
    return "json" if as_json else "csv" if as_csv else "table"


def time_range_of(ctx: typer.Context, text: str) -> TimeRange:
    from spotiviz_cli.models import TimeRange

    try:
        return TimeRange.parse(text)
    except ValueError as exc:
        raise UsageProblem(f"--range: {exc}.", hint=f"Example: {ctx.command_path} --range 4w") from None


@contextmanager
def busy(services: Services, text: str) -> Iterator[None]:
    """A spinner on stderr, only when a person is watching it."""
    if services.err.is_terminal:
        with services.err.status(text):
            yield
    else:
        yield


# Why Spotify may give fewer items than asked for, by command
FEWER = {
    "top-tracks": "tracks: it keeps about 50 per time range",
    "top-artists": "artists: it keeps about 50 per time range",
    "recent": "plays: it keeps only your last 50 plays",
    "saved": "liked songs: that is all of them",
}


def emit(
    services: Services,
    fmt: str,
    kind: str,
    rows: list[dict[str, Any]],
    table: Callable[[], Any],
    *,
    asked: int | None = None,
) -> None:
    from spotiviz_cli.render import tables as render

    if fmt == "json":
        print_json(rows)
    elif fmt == "csv":
        typer.echo(render.csv_text(rows, render.FIELDS[kind]), nl=False)
    else:
        services.out.print(table())
    if asked is not None and len(rows) < asked:
        noun, why = FEWER[kind].split(": ", 1)
        services.notify(f"Spotify returned {len(rows)} of the {asked} {noun} asked for ({why}).")
