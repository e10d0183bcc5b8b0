"""The loopback listener on its own: binding, paths, escaping, state checks, closing; Ctrl-C in a real login."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from spotiviz_cli.config import parse_redirect_uri
from spotiviz_cli.loopback import STATE_MISMATCH, Callback, CallbackListener, read_callback, read_pasted_url

STATE = "expected-state-0123456789abcdef"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", None),
        ("foo=bar", None),
        (f"code=abc&state={STATE}", Callback(code="abc")),
        ("code=abc&state=wrong", Callback(error=STATE_MISMATCH)),
        ("code=abc", Callback(error=STATE_MISMATCH)),
        (f"error=access_denied&state={STATE}", Callback(error="access_denied")),
        ("error=access_denied&state=wrong", Callback(error=STATE_MISMATCH)),
    ],
)
def test_read_callback(query: str, expected: Callback | None) -> None:
    assert read_callback(query, STATE) == expected


@pytest.mark.parametrize(
    "pasted",
    [
        f"http://127.0.0.1:3000/api/callback?code=abc&state={STATE}",
        f"  http://127.0.0.1/api/callback?state={STATE}&code=abc  \n",
        f"code=abc&state={STATE}",
    ],
)
def test_read_pasted_url(pasted: str) -> None:
    assert read_pasted_url(pasted, STATE) == Callback(code="abc")


def test_callback_repr_hides_the_code() -> None:
    assert "abc" not in repr(Callback(code="abc"))


def test_listener_binds_only_to_loopback_and_serves_one_path() -> None:
    with CallbackListener(parse_redirect_uri("http://127.0.0.1/api/callback"), STATE) as listener:
        host, port = listener._server.server_address[:2]
        assert host == "127.0.0.1"
        assert listener.redirect_uri == f"http://127.0.0.1:{port}/api/callback"
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/").status_code == 404
        assert httpx.get(f"{base}/api/callback/").status_code == 404
        assert httpx.get(f"{base}/api/callback").status_code == 200
        assert listener.results.empty()
        hostile = "<script>alert(1)</script>"
        page = httpx.get(
            f"{base}/api/callback", params={"error": "x", "error_description": hostile, "state": STATE}
        )
        assert hostile not in page.text and "&lt;script&gt;" in page.text
        assert page.headers["cache-control"] == "no-store"
        assert listener.results.get(timeout=5) == Callback(error="x", description=hostile)


def finish_when_answered(listener: CallbackListener) -> threading.Thread:
    """Plays the login's main thread: takes the callback, then says the exchange went well."""

    def run() -> None:
        listener.results.get(timeout=10)
        listener.finish()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def raw_get(port: int, path: str, host: str) -> int:
    """A request written by hand, to send any Host header: the status code of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        return int(conn.recv(1024).split()[1])


def test_no_neighbour_can_end_or_hijack_the_login() -> None:
    noticed: list[str] = []
    redirect = parse_redirect_uri("http://127.0.0.1/api/callback")
    with CallbackListener(redirect, STATE, noticed.append) as listener:
        port = listener.port
        good = f"/api/callback?code=real&state={STATE}"
        assert raw_get(port, good, "evil.example:3000") == 400  # DNS rebinding: another host name
        assert raw_get(port, good, f"127.0.0.1:{port + 1}") == 400
        for forged in ("code=x&state=forged", "code=x", "error=access_denied&state=forged", "error=x"):
            assert httpx.get(f"http://127.0.0.1:{port}/api/callback?{forged}").status_code == 400
        assert listener.results.empty()  # nothing of that ended the wait
        assert noticed == ["Ignored a login answer that did not come from this login; still waiting."]
        finish_when_answered(listener)
        page = httpx.get(f"http://127.0.0.1:{port}{good}", timeout=10)
        assert page.status_code == 200 and "Logged in" in page.text


def test_the_browser_is_told_the_truth_when_the_exchange_fails() -> None:
    with CallbackListener(parse_redirect_uri("http://127.0.0.1/api/callback"), STATE) as listener:

        def fail() -> None:
            listener.results.get(timeout=10)
            listener.finish(failure="Spotify refused the authorization code.")

        threading.Thread(target=fail, daemon=True).start()
        page = httpx.get(f"http://127.0.0.1:{listener.port}/api/callback?code=c&state={STATE}", timeout=10)
        assert "Login failed" in page.text and "Spotify refused the authorization code." in page.text
        assert "Logged in" not in page.text


def test_listener_on_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        listener = CallbackListener(parse_redirect_uri("http://[::1]/api/callback"), STATE)
    except Exception as exc:  # pragma: no cover - machines without ::1
        pytest.skip(f"::1 not available: {exc}")
    with listener:
        assert listener.redirect_uri == f"http://[::1]:{listener.port}/api/callback"
        seen: list[Callback] = []

        def answer() -> None:
            seen.append(listener.results.get(timeout=10))
            listener.finish()

        threading.Thread(target=answer, daemon=True).start()
        page = httpx.get(f"http://[::1]:{listener.port}/api/callback?code=c&state={STATE}", timeout=10)
        assert page.status_code == 200 and seen == [Callback(code="c")]


def test_listener_closes_at_once() -> None:
    listener = CallbackListener(parse_redirect_uri("http://127.0.0.1/api/callback"), STATE)
    with listener:
        port = listener.port
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/api/callback", timeout=1)


def test_the_same_port_can_be_reused_straight_after_a_login() -> None:
    with CallbackListener(parse_redirect_uri("http://127.0.0.1/api/callback"), STATE) as first:
        port = first.port
        finish_when_answered(first)
        httpx.get(f"http://127.0.0.1:{port}/api/callback?code=c&state={STATE}", timeout=10)
    with CallbackListener(parse_redirect_uri(f"http://127.0.0.1:{port}/api/callback"), STATE) as second:
        assert second.port == port


def test_ctrl_c_during_login_exits_cleanly(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SPOTIFY_CLIENT_ID": "cid",
        "SPOTIFY_REDIRECT_URI": "http://127.0.0.1/api/callback",
        "SPOTIVIZ_ACCOUNTS_URL": "http://127.0.0.1:9",
        "BROWSER": "true",  # a browser that opens nothing
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "spotiviz_cli", "login", "--insecure-storage"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # a test runner started in the background of a shell without job control ignores SIGINT, and a
        # child would inherit that: give it Ctrl-C back, as a terminal would
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 20
        assert process.stderr is not None
        seen = ""
        while "/authorize?" not in seen and time.monotonic() < deadline:
            seen += process.stderr.readline()
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 130
    assert "Cancelled." in stderr
    assert "Traceback" not in stderr + seen
    assert not (Path(os.environ["SPOTIVIZ_CONFIG_DIR"]) / "tokens.json").exists()
