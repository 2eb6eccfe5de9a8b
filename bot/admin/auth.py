"""Who may use /admin: people log in with ADMIN_TOKEN and get a signed session cookie; scripts send it as a Bearer token.

The cookie is signed with SECRET_KEY, or with a key generated once and kept in Redis, so every
host of a deployment accepts the sessions of the others. It carries a mark of the token it was
opened with: changing ADMIN_TOKEN ends every session. Forms carry a per-session CSRF token;
Bearer requests need none, since a browser never adds that header by itself. Tokens are compared
in constant time, and repeated wrong passwords from one address are refused for a while.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Response, abort, current_app, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from itsdangerous import BadSignature, URLSafeTimedSerializer

if TYPE_CHECKING:
    from bot.runtime import Runtime

COOKIE = "pufa_admin"
SESSION_SECONDS = 8 * 3600  # a working day
MAX_FAILURES = 10  # wrong passwords from one address …
FAILURE_WINDOW = 15 * 60  # … within this many seconds lock that address out until the window ends
OPEN_ENDPOINTS = ("admin.login", "admin.static")


def runtime() -> "Runtime":
    return current_app.extensions["pufa"]


def secret_key() -> str:
    """SECRET_KEY, or the deployment's generated key (created once in Redis, then cached per app)."""
    cached = current_app.extensions.get("pufa.admin_secret")
    if cached is None:
        rt = runtime()
        cached = rt.settings.secret_key or _stored_secret(rt)
        current_app.extensions["pufa.admin_secret"] = cached
    return cached


def _stored_secret(rt: "Runtime") -> str:
    key = rt.store.key("secret", "admin-session")
    with rt.store.guard() as client:
        client.set(key, secrets.token_hex(32), nx=True)
        return client.get(key).decode()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(), salt="pufa-admin-session")


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _token_mark() -> str:
    """What a session remembers of ADMIN_TOKEN: a keyed hash, never the token itself."""
    token = runtime().settings.admin_token.encode()
    return hmac.new(secret_key().encode(), token, hashlib.sha256).hexdigest()[:32]


def load_session() -> dict[str, Any]:
    raw = request.cookies.get(COOKIE, "")
    try:
        data = _serializer().loads(raw, max_age=SESSION_SECONDS) if raw else {}
    except BadSignature:
        data = {}
    if not isinstance(data, dict) or "csrf" not in data:
        data = {"csrf": secrets.token_urlsafe(24)}
        g.admin_session_changed = True
    return data


def session() -> dict[str, Any]:
    return g.admin_session


def update_session(**values: Any) -> None:
    g.admin_session.update(values)
    g.admin_session_changed = True


def save_session(response: Response) -> Response:
    if g.get("admin_session_changed"):
        response.set_cookie(COOKIE, _serializer().dumps(g.admin_session), max_age=SESSION_SECONDS, path="/admin",
                            secure=request.is_secure, httponly=True, samesite="Lax")
    return response


def logged_in() -> bool:
    mark = g.admin_session.get("auth", "")
    return bool(mark) and same_secret(mark, _token_mark())


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def guard() -> Response | None:
    """Runs before every /admin request: off without ADMIN_TOKEN, then token, session or refusal."""
    if not runtime().settings.admin_token:
        abort(404)
    secret_key()  # first, so a Redis outage is a 503 before any session is read or written
    g.admin_session = load_session()
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    bearer = _bearer()
    if bearer is not None:
        return None if same_secret(bearer, runtime().settings.admin_token) else _refuse()
    if not logged_in():
        return _refuse()
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        check_csrf()
    return None


def _refuse() -> Response:
    if "text/html" in request.headers.get("Accept", "") and _bearer() is None:
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    response = Response("401 Unauthorized: log in at /admin/login, or send Authorization: Bearer <ADMIN_TOKEN>\n",
                        401, mimetype="text/plain")
    response.headers["WWW-Authenticate"] = 'Bearer realm="pufa-admin"'
    return response


def check_csrf() -> None:
    given = request.form.get("csrf") or request.headers.get("X-CSRF-Token") or ""
    if not same_secret(given, g.admin_session["csrf"]):
        abort(400, description="表单已过期或来源不明（CSRF），请刷新页面后重试。")


def safe_next(target: str | None) -> str:
    """Only a path inside /admin, so the login page cannot be used to send people elsewhere."""
    target = target or ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin") or target.startswith("//"):
        return url_for("admin.dashboard")
    return target


def _failures_key() -> str:
    return runtime().store.key("admin", "login-failures", request.remote_addr or "-")


def login() -> ResponseReturnValue:
    """GET shows the form; POST checks the token (and CSRF) and opens the session."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("login.html", next=target, error="")
    check_csrf()
    store = runtime().store
    with store.guard() as client:
        if int(client.get(_failures_key()) or 0) >= MAX_FAILURES:
            return render_template("login.html", next=target, error="尝试次数过多，请15分钟后再试。"), 429
        if not same_secret(request.form.get("token", ""), runtime().settings.admin_token):
            pipe = client.pipeline()
            pipe.incr(_failures_key())
            pipe.expire(_failures_key(), FAILURE_WINDOW)
            pipe.execute()
            return render_template("login.html", next=target, error="口令不正确。"), 401
    update_session(auth=_token_mark(), csrf=secrets.token_urlsafe(24))
    return redirect(target)


def logout() -> Response:
    g.admin_session = {"csrf": secrets.token_urlsafe(24)}
    g.admin_session_changed = True
    return redirect(url_for("admin.login"))
