"""Login, status and logout, and the authorised API client that loads, refreshes and saves tokens."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TextIO

from spotiviz_cli.api import BearerAuth, RetryPolicy, SpotifyApi
from spotiviz_cli.config import ACCOUNT_APPS_URL, DASHBOARD_URL, RedirectUri, redirect_warnings
from spotiviz_cli.errors import (
    KeyringUnavailable,
    LoginFailed,
    LoginRequired,
    NoKeyring,
    SpotivizError,
    UsageProblem,
)
from spotiviz_cli.loopback import STATE_MISMATCH, Callback, CallbackListener, read_pasted_url
from spotiviz_cli.models import UserProfile
from spotiviz_cli.oauth import (
    AuthRequest,
    BadGrant,
    ClientCredentials,
    exchange_code,
    new_code_verifier,
    new_state,
    refresh_access_token,
)
from spotiviz_cli.services import Services
from spotiviz_cli.tokens import FileTokenStore, TokenRecord, TokenStore

REFRESH_MARGIN_S = 60
LOGIN_WARNING_DAYS = 14  # warn this long before Spotify's 6-month limit ends a login

NOT_LOGGED_IN = LoginRequired("You are not logged in to Spotify.", hint="Run: spotiviz login")


class TokenSession:
    """The token source behind every API call: the stored record, refreshed when due and saved at once.

    Refreshes are serialised twice: a thread lock for concurrent requests in this process, and a
    file lock across spotiviz processes. Under the file lock the stored record is read again, so a
    process that finds another one already refreshed uses that token instead of spending (and, while
    Spotify rotated refresh tokens, invalidating) the old refresh token.
    """

    def __init__(self, services: Services, store: TokenStore, record: TokenRecord | None = None) -> None:
        self._services = services
        self._store = store
        self._record = record  # when the caller has just loaded or saved it: no second keyring read
        self._lock = threading.Lock()

    def record(self) -> TokenRecord:
        if self._record is None:
            self._record = self._store.load()
            if self._record is None:
                raise NOT_LOGGED_IN
        return self._record

    def access_token(self) -> str:
        with self._lock:
            record = self.record()
            if record.expires_within(REFRESH_MARGIN_S, now=self._services.now()):
                record = self._refresh(record.access_token)
            return record.access_token

    def refresh(self, rejected: str) -> str:
        with self._lock:
            record = self.record()
            if record.access_token != rejected:  # another thread refreshed already
                return record.access_token
            return self._refresh(rejected).access_token

    def _refresh(self, stale_access_token: str) -> TokenRecord:
        from filelock import FileLock, Timeout

        settings = self._services.settings
        settings.config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            with FileLock(settings.config_dir / "refresh.lock", timeout=30, mode=0o600):
                current = self._store.load()
                if current is None:
                    raise NOT_LOGGED_IN
                now = self._services.now()
                if current.access_token != stale_access_token and not current.expires_within(
                    REFRESH_MARGIN_S, now=now
                ):
                    self._record = current  # another spotiviz refreshed it meanwhile
                    return current
                with self._services.http_client() as client:
                    try:
                        grant = refresh_access_token(
                            client,
                            settings.token_endpoint,
                            refresh_token=current.refresh_token,
                            credentials=ClientCredentials(current.client_id, current.client_secret),
                        )
                    except BadGrant as bad:
                        if bad.refresh_token:  # the old one may be spent already: keep the new one
                            self._store.save(replace(current, refresh_token=bad.refresh_token))
                        raise
                self._record = current.refreshed(grant, now=self._services.now())
                self._store.save(self._record)
                return self._record
        except Timeout:
            raise SpotivizError(
                "Another spotiviz (a scheduled sync, perhaps) has been renewing the Spotify login for 30 s.",
                hint="Try again in a minute. The lock goes with the process that holds it: nothing needs deleting.",
            ) from None


@contextmanager
def spotify_api(services: Services, session: TokenSession) -> Iterator[SpotifyApi]:
    settings = services.settings
    with services.http_client(base_url=settings.api_url, auth=BearerAuth(session)) as client:
        yield SpotifyApi(
            client,
            retry=RetryPolicy(max_retry_after_s=settings.max_retry_wait),
            sleep=services.sleep,
            now=services.now,
            max_in_flight=services.max_in_flight,
        )


@contextmanager
def authorised_api(services: Services) -> Iterator[SpotifyApi]:
    """The API client for the stats commands, over the stored login."""
    store = services.token_store()
    record = store.load()
    if record is None:
        raise NOT_LOGGED_IN
    left = record.login_expires_at - services.now()
    if left < timedelta(days=LOGIN_WARNING_DAYS):
        services.warn(
            f"Spotify ends this login on {record.login_expires_at.astimezone():%Y-%m-%d} "
            f"(in {max(left.days, 0)} days): run `spotiviz login` before then."
        )
    with spotify_api(services, TokenSession(services, store, record)) as api:
        yield api


# ---------------------------------------------------------------- login


@dataclass(frozen=True)
class LoginResult:
    user: UserProfile
    storage: str


def login(
    services: Services,
    *,
    client_id: str | None = None,
    show_dialog: bool = False,
    timeout: float = 300.0,
    no_browser: bool = False,
    insecure_storage: bool = False,
) -> LoginResult:
    settings = services.settings
    client_id = client_id or settings.client_id
    if not client_id:
        raise UsageProblem(
            "No Spotify client ID is configured.",
            hint="Set SPOTIFY_CLIENT_ID (in the environment or a .env file) or pass --client-id; "
            "the README's 'Set up a Spotify app' section shows where to find it.",
        )
    if timeout <= 0:
        raise UsageProblem("--timeout must be a positive number of seconds.")
    redirect = settings.redirect()
    _check_redirect(redirect, listening=not no_browser)
    for warning in redirect_warnings(redirect):
        services.warn(warning)
    if not redirect.is_loopback and not no_browser:
        raise UsageProblem(
            f"spotiviz can only catch the login on a loopback redirect URI, not {redirect}.",
            hint="Use http://127.0.0.1:3000/api/callback, or pass --no-browser and paste the final address.",
        )

    store = services.token_store(insecure=insecure_storage)
    store.check()  # fail before the browser opens, not after the user has clicked Agree

    state = new_state()
    with _listening(redirect, state, services.notify) as listener:
        redirect_uri = listener.redirect_uri if listener else str(redirect)
        request = AuthRequest(
            client_id=client_id,
            redirect_uri=redirect_uri,
            state=state,
            code_verifier=None if settings.client_secret else new_code_verifier(),
            show_dialog=show_dialog,
        )
        url = request.authorize_url(settings.authorize_endpoint)
        results: queue.Queue[Callback] = listener.results if listener else queue.Queue()
        if no_browser:
            services.notify(f"Open this address in a browser and log in to Spotify:\n\n{url}\n")
            services.notify(
                "Then paste the address the browser ends on here (or just wait if it is this machine):"
            )
            _read_pastes(services.input_stream(), state, results, services)
        else:
            services.notify(
                f"Opening your browser to log in to Spotify. If it does not open, visit:\n\n{url}\n"
            )
            services.open_browser(url)
        callback = _wait(results, timeout, redirect)
        try:
            user = _finish_login(services, store, callback, redirect, request, client_id)
        except SpotivizError as exc:
            if listener:
                listener.finish(failure=exc.message)  # the browser page says it too
            raise
        if listener:
            listener.finish()
    if not insecure_storage:
        FileTokenStore(settings.token_file).delete()  # one login, one place: drop an older insecure copy
    return LoginResult(user=user, storage=store.location)


def _finish_login(
    services: Services,
    store: TokenStore,
    callback: Callback,
    redirect: RedirectUri,
    request: AuthRequest,
    client_id: str,
) -> UserProfile:
    """The code exchanged, the tokens stored, and who logged in: what the browser page waits for."""
    settings = services.settings
    code = _code_from(callback, redirect)
    with services.http_client() as client:
        grant = exchange_code(
            client,
            settings.token_endpoint,
            code=code,
            request=request,
            credentials=ClientCredentials(client_id, settings.client_secret),
        )
    record = TokenRecord.from_grant(
        grant, client_id=client_id, client_secret=settings.client_secret, now=services.now()
    )
    store.save(record)
    with spotify_api(services, TokenSession(services, store, record)) as api:
        return api.me()


def _check_redirect(redirect: RedirectUri, *, listening: bool) -> None:
    """Redirect URIs no login can complete on, refused before the browser opens."""
    plain = RedirectUri("http", redirect.host, None, redirect.path)
    if redirect.port == 0:
        raise UsageProblem(
            f"SPOTIFY_REDIRECT_URI {redirect} names port 0, which no browser can be sent to.",
            hint=f"For any free port, register {plain} (no port) in your Spotify app and set SPOTIFY_REDIRECT_URI to it.",
        )
    if listening and redirect.is_loopback and redirect.scheme == "https":
        plain = RedirectUri("http", redirect.host, redirect.port, redirect.path)
        raise UsageProblem(
            f"spotiviz's login listener speaks plain http, so it cannot catch {redirect}.",
            hint=f"Register {plain} in your Spotify app (Spotify allows http for 127.0.0.1) and set "
            "SPOTIFY_REDIRECT_URI to it; or pass --no-browser and paste the address the browser ends on.",
        )


@contextmanager
def _listening(
    redirect: RedirectUri, state: str, on_ignored: Callable[[str], None]
) -> Iterator[CallbackListener | None]:
    if not redirect.is_loopback:
        yield None
        return
    with CallbackListener(redirect, state, on_ignored) as listener:
        yield listener


def _read_pastes(stream: TextIO, state: str, results: queue.Queue[Callback], services: Services) -> None:
    """Reads pasted addresses on a daemon thread, so the listener can still win the race."""

    def read() -> None:
        for line in stream:
            if not line.strip():
                continue
            callback = read_pasted_url(line, state)
            if callback is None:
                services.notify(
                    "That address has no code in it; paste the whole address from the address bar."
                )
                continue
            results.put(callback)
            return

    threading.Thread(target=read, name="spotiviz-paste", daemon=True).start()


def _wait(results: queue.Queue[Callback], timeout: float, redirect: RedirectUri) -> Callback:
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            # Short slices keep Ctrl-C responsive on every platform.
            return results.get(timeout=min(remaining, 0.2))
        except queue.Empty:
            continue
    raise LoginFailed(
        f"No answer from Spotify within {timeout:g} s.",
        hint=f"Usually the redirect URI is not registered: add exactly {redirect} under Redirect URIs "
        f"in your app's settings at {DASHBOARD_URL}, then run spotiviz login again.",
    )


def _code_from(callback: Callback, redirect: RedirectUri) -> str:
    if callback.error == STATE_MISMATCH:
        raise LoginFailed(
            "The login answer did not carry the state spotiviz sent, so it was refused and nothing was exchanged.",
            hint="Run spotiviz login again, and finish it in the browser tab it opens.",
        )
    if callback.error == "access_denied":
        raise LoginFailed(
            "The Spotify authorization was declined (access_denied).",
            hint="Run spotiviz login again and choose Agree.",
        )
    if callback.error or not callback.code:
        said = f"{callback.error} {callback.description}".strip()
        raise LoginFailed(
            f"Spotify refused the login: {said}.",
            hint=f"Check the app at {DASHBOARD_URL}: the redirect URI {redirect} must be registered exactly.",
        )
    return callback.code


# ---------------------------------------------------------------- status and logout


@dataclass(frozen=True)
class StatusReport:
    logged_in: bool
    storage: str
    user: UserProfile | None = None
    client_id: str | None = None
    scopes: tuple[str, ...] = ()
    access_token_expires_at: datetime | None = None
    login_expires_at: datetime | None = None
    insecure_storage: bool = False


def status(services: Services) -> StatusReport:
    """Who is logged in, checked against Spotify (refreshing the access token if it is due)."""
    store = services.token_store()
    record = store.load()
    if record is None:
        return StatusReport(logged_in=False, storage=store.location, insecure_storage=store.insecure)
    session = TokenSession(services, store, record)
    with spotify_api(services, session) as api:
        user = api.me()
    record = session.record()  # refreshed, if it was due
    return StatusReport(
        logged_in=True,
        storage=store.location,
        user=user,
        client_id=record.client_id,
        scopes=record.scopes,
        access_token_expires_at=record.expires_at,
        login_expires_at=record.login_expires_at,
        insecure_storage=store.insecure,
    )


@dataclass(frozen=True)
class LogoutResult:
    removed_from: tuple[str, ...]
    revoke_url: str = ACCOUNT_APPS_URL


def logout(services: Services) -> LogoutResult:
    """Delete the stored login wherever it is: the 0600 file and the keyring."""
    removed: list[str] = []
    file_store = FileTokenStore(services.settings.token_file)
    if file_store.delete():
        removed.append(file_store.location)
    keyring_store = services.token_store(insecure=False)
    try:
        if keyring_store.delete():
            removed.append(keyring_store.location)
    except NoKeyring:
        pass  # no keyring on this machine: nothing can be stored in one
    except KeyringUnavailable:
        if not removed:
            raise
    return LogoutResult(removed_from=tuple(removed))
