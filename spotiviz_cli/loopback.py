"""The one-shot loopback listener that catches Spotify's redirect back to the CLI during login."""

from __future__ import annotations

import errno
import html
import queue
import secrets
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from spotiviz_cli.config import DEFAULT_REDIRECT_URI, RedirectUri
from spotiviz_cli.errors import LoginFailed

STATE_MISMATCH = "state_mismatch"


@dataclass(frozen=True)
class Callback:
    """What came back from Spotify: a code, or an error (Spotify's own, or STATE_MISMATCH)."""

    code: str | None = field(default=None, repr=False)
    error: str | None = None
    description: str = ""


def read_callback(query: str, expected_state: str) -> Callback | None:
    """Interpret a callback query string. None means "not a callback" (a pre-fetch): keep waiting."""
    params = parse_qs(query)
    code = params.get("code", [""])[0]
    error = params.get("error", [""])[0]
    if not code and not error:
        return None
    state = params.get("state", [""])[0]
    if not secrets.compare_digest(state.encode(), expected_state.encode()):
        return Callback(error=STATE_MISMATCH)
    if error:
        return Callback(error=error, description=params.get("error_description", [""])[0])
    return Callback(code=code)


def read_pasted_url(text: str, expected_state: str) -> Callback | None:
    """The address the browser ended on, pasted by the user (--no-browser); a bare query works too."""
    text = text.strip()
    query = urlsplit(text).query if "?" in text else text
    return read_callback(query, expected_state)


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>spotiviz</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;color:#191414}}
h1{{color:{colour}}}</style></head>
<body><h1>{title}</h1><p>{body}</p></body></html>
"""


def _page(title: str, body: str, *, ok: bool) -> bytes:
    colour = "#1DB954" if ok else "#c0392b"
    return _PAGE.format(colour=colour, title=html.escape(title), body=html.escape(body)).encode("utf-8")


class CallbackListener:
    """A short-lived HTTP server on the redirect URI's loopback address, port and path.

    Only a callback that carries this login's `state` (with a code, or with the user's denial) arrives
    on `results`; anything else (another Host, a forged or missing state, a stray path) is answered
    with an error page and ignored, so no other program or web page can end or hijack the login. The
    browser is answered after the code exchange, with what really happened: the caller reports it
    with `finish()`.
    """

    ANSWER_WAIT_S = 60.0  # how long the browser's request waits for the code exchange

    def __init__(
        self, redirect: RedirectUri, expected_state: str, on_ignored: Callable[[str], None] | None = None
    ) -> None:
        if not redirect.is_loopback:
            raise ValueError("the listener binds only to loopback addresses")
        self.results: queue.Queue[Callback] = queue.Queue()
        self._path = redirect.path
        self._state = expected_state
        self._on_ignored = on_ignored
        self._noted = False
        self._outcome = threading.Event()
        self._failure: str | None = None
        host = "127.0.0.1" if redirect.uses_localhost else redirect.host
        server_class = _V6Server if ":" in host else _V4Server
        try:
            self._server = server_class((host, redirect.port or 0), self._handler_class())
        except OSError as exc:
            raise _bind_error(exc, host, redirect) from None
        self.port: int = self._server.server_address[1]
        self.redirect_uri = redirect.with_port(redirect.port if redirect.port is not None else self.port)
        # the Host headers a browser sends for this address (localhost is what the user may have typed)
        netlocs = {f"[{host}]" if ":" in host else host, *(("localhost",) if redirect.uses_localhost else ())}
        self._hosts = {f"{name}:{self.port}".lower() for name in netlocs}
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def start(self) -> None:
        self._thread.start()

    def finish(self, *, failure: str | None = None) -> None:
        """The login's outcome, for the browser page still waiting: None for success."""
        self._failure = failure
        self._outcome.set()

    def close(self) -> None:
        if not self._outcome.is_set():
            self.finish(failure="spotiviz stopped before the login finished.")
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()  # waits for the pages still being sent

    def __enter__(self) -> CallbackListener:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ignored(self, why: str) -> None:
        if not self._noted and self._on_ignored is not None:
            self._noted = True  # once: a page reloading in a loop must not flood the terminal
            self._on_ignored(why)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        listener = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "spotiviz"
            sys_version = ""
            timeout = 10  # a client that sends nothing does not hold the listener

            def do_GET(self) -> None:
                host = (self.headers.get("Host") or "").lower()
                if host not in listener._hosts:  # DNS rebinding, or another site's page
                    self._send(400, _page("Wrong address", "This is spotiviz's login listener.", ok=False))
                    return
                parts = urlsplit(self.path)
                if parts.path != listener._path:
                    self._send(404, _page("Not found", "This is spotiviz's login listener.", ok=False))
                    return
                callback = read_callback(parts.query, listener._state)
                if callback is None:
                    self._send(200, _page("Waiting for Spotify", "Finish the login in Spotify.", ok=True))
                    return
                if callback.error == STATE_MISMATCH:
                    listener._ignored(
                        "Ignored a login answer that did not come from this login; still waiting."
                    )
                    self._send(
                        400,
                        _page(
                            "Not this login",
                            "This answer does not belong to the login spotiviz started, so it was ignored.",
                            ok=False,
                        ),
                    )
                    return
                if callback.error:
                    detail = f"Spotify said: {callback.error} {callback.description}".strip()
                    self._send(200, _page("Login cancelled", f"{detail}. You can close this tab.", ok=False))
                    listener.results.put(callback)
                    return
                listener.results.put(callback)
                # the page says what happened: wait for the code exchange before answering
                if not listener._outcome.wait(listener.ANSWER_WAIT_S):
                    failure: str | None = "spotiviz did not finish the login in time."
                else:
                    failure = listener._failure
                if failure is None:
                    self._send(
                        200,
                        _page("Logged in", "You can close this tab and go back to the terminal.", ok=True),
                    )
                else:
                    self._send(
                        200, _page("Login failed", f"{failure} The terminal says what to do.", ok=False)
                    )

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("Referrer-Policy", "no-referrer")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Silent: the terminal is the user's, and the request line carries the code."""

        return Handler


class _V4Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # closing waits for the pages being sent (each handler times out itself)
    # SO_REUSEADDR lets a second login reuse a port still in TIME_WAIT; on POSIX it never lets two
    # listeners share a port. On Windows it would, so there a taken port must fail loudly instead.
    allow_reuse_address = sys.platform != "win32"


class _V6Server(_V4Server):
    address_family = socket.AF_INET6


def _bind_error(exc: OSError, host: str, redirect: RedirectUri) -> LoginFailed:
    if exc.errno == errno.EADDRINUSE:
        return LoginFailed(
            f"Port {redirect.port} on {host} is already in use, so the login listener cannot start.",
            hint="Stop the program using it, or register another redirect URI in your Spotify app "
            "(e.g. http://127.0.0.1:3001/api/callback, or http://127.0.0.1/api/callback for any free port) "
            "and set SPOTIFY_REDIRECT_URI to it.",
        )
    return LoginFailed(
        f"Cannot listen on {host}:{redirect.port or 0} for the login callback ({exc.strerror}).",
        hint=f"Use a loopback redirect URI such as {DEFAULT_REDIRECT_URI}.",
    )
