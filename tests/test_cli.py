"""The command line as a user meets it: the installed entry points, --help, --version, usage errors, start-up cost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spotiviz_cli import __version__
from spotiviz_cli.cli import app
from spotiviz_cli.services import Services

COMMANDS = [
    "login", "status", "logout", "top-tracks", "top-artists", "recent", "now", "saved", "wrapped",
    "history sync", "history schedule", "history import", "history stats",
]  # fmt: skip
ROOT = Path(__file__).resolve().parent.parent


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spotiviz_cli", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_version_via_python_m() -> None:
    result = run_module("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"spotiviz {__version__}"


@pytest.mark.parametrize("args", [["--help"], ["--version"], *[[*c.split(), "--help"] for c in COMMANDS]])
def test_help_and_version_do_not_import_the_heavy_parts(args: list[str]) -> None:
    probe = (
        "import sys\n"
        "from spotiviz_cli.cli import app\n"
        "try:\n"
        f"    app({args!r}, prog_name='spotiviz')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'keyring', 'httpcore', 'dotenv')\n"
        "               or m in ('spotiviz_cli.api', 'spotiviz_cli.session', 'spotiviz_cli.oauth'))\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert "HEAVY []" in result.stderr, result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(app, [*command.split(), "--help"], obj=Services())
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"spotiviz {command}" in result.stdout


def test_no_arguments_shows_help() -> None:
    result = CliRunner().invoke(app, [], obj=Services())
    assert "login" in result.output and "status" in result.output


@pytest.mark.parametrize(
    "args",
    [["login", "--timeout", "0"], ["login", "--bogus"], ["status", "--timeout", "3"], ["nosuchcommand"]],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = CliRunner().invoke(app, args, obj=Services())
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_no_keyring_in_a_fresh_process_is_a_clear_error() -> None:
    """The real entry point in a fresh process with no usable keyring (tests set keyring's fail backend)."""
    result = run_module("status", "--json")
    assert result.returncode == 1
    assert "No usable OS keyring" in result.stderr and "--insecure-storage" in result.stderr
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)  # the object is printed whatever happened
    assert data["logged_in"] is False and "No usable OS keyring" in data["error"]
    logout = run_module("logout")  # no keyring: nothing can be stored in one
    assert logout.returncode == 0 and "Not logged in: nothing to remove." in logout.stdout


def test_not_logged_in_in_a_fresh_process_exits_4() -> None:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "tests.memkeyring.MemoryKeyring", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "spotiviz_cli", "status", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert result.returncode == 4, result.stderr
    assert json.loads(result.stdout)["logged_in"] is False
    assert "Run: spotiviz login" in result.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["top-tracks", "--limit", "0"], "Error: --limit must be from 1 to 100, not 0."),
        (
            ["top-tracks", "--limit", "x"],
            "Error: --limit must be a whole number. See: spotiviz top-tracks --help",
        ),
        (
            ["history", "stats", "--year", "abc"],
            "Error: --year must be a whole number. See: spotiviz history stats --help",
        ),
        (
            ["history", "stats", "--year", "a'b"],
            "Error: --year must be a whole number. See: spotiviz history stats --help",
        ),
        (["top-tracks", "--bogus"], "Error: No such option: --bogus. See: spotiviz top-tracks --help"),
        (["bogus"], "Error: No such command 'bogus'. See: spotiviz --help"),
        (["history", "import"], "Error: Missing argument 'PATH'. See: spotiviz history import --help"),
        (["wrapped", "--range", "weekly"], "Example: spotiviz wrapped --range 4w"),
        (["--demo", "top-tracks", "--limit", "0"], "Error: --limit must be from 1 to 100, not 0."),
    ],
)
def test_usage_errors_are_one_line_like_every_other_error(args: list[str], says: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and says in result.stderr, result.stderr
    assert "╭" not in result.stderr and "Input should" not in result.stderr and "Usage:" not in result.stderr
    assert "Demo mode" not in result.output  # nothing before an error


def test_version_has_a_short_alias_and_range_completes() -> None:
    assert CliRunner().invoke(app, ["-V"]).stdout.strip() == f"spotiviz {__version__}"
    env = {
        **os.environ,
        "_SPOTIVIZ_COMPLETE": "complete_bash",
        "COMP_WORDS": "spotiviz wrapped --range ",
        "COMP_CWORD": "3",
    }
    done = subprocess.run(
        [sys.executable, "-m", "spotiviz_cli"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split() == ["short", "medium", "long", "4w", "6m", "1y"], done.stderr


@pytest.mark.parametrize(
    "args", [["history", "--help"], ["--demo", "top-tracks"], ["--demo", "saved", "--all", "--json"]]
)
def test_a_reader_that_has_gone_gets_no_error_and_no_traceback(args: list[str]) -> None:
    """`spotiviz ... | head -1`: the pipe is closed before spotiviz writes."""
    process = subprocess.Popen(
        [sys.executable, "-m", "spotiviz_cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # as head does once it has its line
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) in (0, 1)
    assert "Unexpected" not in stderr and "Traceback" not in stderr and "Exception ignored" not in stderr, (
        stderr
    )
