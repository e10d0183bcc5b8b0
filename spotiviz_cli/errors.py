"""The typed errors every layer raises and the one error boundary in cli.py turns into exit codes."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_LOGIN = 4


class SpotivizError(Exception):
    """An expected failure: one line for the user, plus the fix.

    The message must never contain a secret (token, client secret, authorization code).
    """

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageProblem(SpotivizError):
    """The command line or the configuration is wrong; the user must change what they typed or set."""

    exit_code = EXIT_USAGE


class LoginRequired(SpotivizError):
    """There is no usable login: nothing stored, or Spotify refused the stored refresh token."""

    exit_code = EXIT_LOGIN


class KeyringUnavailable(SpotivizError):
    """The OS keyring is missing, locked or does not answer."""


class NoKeyring(KeyringUnavailable):
    """There is no usable OS keyring at all on this machine (so nothing can be stored in one)."""


class SpotifyError(SpotivizError):
    """Spotify (accounts or Web API) answered with an error, or did not answer at all."""

    def __init__(self, message: str, *, hint: str | None = None, status: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class LoginFailed(SpotivizError):
    """The browser half of the login did not produce an authorization code."""
