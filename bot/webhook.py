"""The HTTP boundary: `/wechat` (verify → decrypt → parse → de-duplicate → dispatch → render) and `/healthz`.

Status codes follow the conventions, in their order: 403 bad signature, 413 oversize body, 400
anything that is not a message for this account, otherwise 200. Nothing here answers 5xx: an
unexpected error is logged with the message key and a hashed openid, and the citizen gets a
friendly text. Every answer leaves within `REPLY_SECONDS`; when the dispatcher is late the
citizen is asked to send the message again (`BUSY_TEXT`) — better than silence, and WeChat does
not retry an answered message. Under gunicorn's sync workers a request runs on the main thread,
and a SIGALRM timer cuts a late dispatch short (its claim is released, so a retry computes
afresh); a thread pool would cost every message ~60 µs of hand-over for a deadline that Redis's
socket timeouts already make almost unreachable. Elsewhere (the threaded dev server) the
dispatcher runs in a pool thread and a late reply is still stored for the retry; the pool starts
on first use and `close(app)` ends it.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
import signal
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any, Callable, Mapping

from flask import Blueprint, Flask, Request, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from bot import wechat
from bot.clock import SHANGHAI
from bot.dedup import Deduper
from bot.messages import Inbound, Reply
from bot.privacy import log_id

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
REPLY_SECONDS = 4.5  # WeChat gives up after 5 s, measured from its side
RETRY_WAIT_MARGIN = 0.2  # a retry's wait for the first attempt ends before our own deadline
DISPATCH_THREADS = 16
FALLBACK_TEXT = "抱歉，系统暂时出了点问题，请稍后再试。回复「菜单」可查看常见问题。"
BUSY_TEXT = "正在查询，请稍后再发一次您的问题。"

bp = Blueprint("webhook", __name__)


class DispatchPool:
    """The threads a threaded server's requests hand their dispatch to, one pool per app. Made on
    first use, so an app that answers on the main thread (gunicorn's sync workers, the test client)
    never starts one, and a forked worker makes its own; `close` ends them, and a later use makes
    them anew."""

    def __init__(self, threads: int) -> None:
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, work: Callable[[], Reply]) -> Future[Reply]:
        """Under the lock, so a `close` on another thread cannot shut the executor down between
        this finding it and handing it the work (which raised "cannot schedule new futures")."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix="dispatch")
            return self._executor.submit(work)

    def close(self) -> None:
        """End the threads, once the dispatches under way have finished."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)


def close(app: Flask) -> None:
    """End `app`'s dispatch threads: for whoever drops an app before the process ends (tests); at
    exit, Python joins them itself."""
    app.extensions["pufa.dispatch_pool"].close()


def _runtime() -> "Runtime":
    return current_app.extensions["pufa"]


def _plain(text: str, status: int = 200) -> Response:
    return Response(text, status=status, mimetype="text/plain")


def _signed(args: Mapping[str, str], runtime: "Runtime") -> bool:
    return wechat.check_signature(runtime.settings.wechat_token, args.get("signature", ""),
                                  args.get("timestamp", ""), args.get("nonce", ""))


@bp.get("/wechat")
def verify() -> Response:
    """The console's URL check: echo `echostr` exactly (plain, also in safe mode)."""
    args = request.args
    if not _signed(args, _runtime()):
        return _plain("forbidden", 403)
    echostr = args.get("echostr")
    if echostr is None:
        return _plain("echostr is missing", 400)
    return _plain(echostr)


@bp.post("/wechat")
def receive() -> Response:
    """A message or event; the status checks run in the conventions' order, cheapest first.

    The request and the app's parts are looked up once: each pass through Flask's `request` or
    `current_app` proxy costs about as much as a short function of our own."""
    started = time.monotonic()
    req = request._get_current_object()  # the proxies' documented way to the object behind them
    args, extensions = req.args, current_app.extensions
    if not _signed(args, extensions["pufa"]):
        return _plain("forbidden", 403)
    body = _read_body(req)
    if body is None:
        return _plain("payload too large", 413)
    if not body.strip():
        return _plain("empty body", 400)
    crypto = extensions["pufa.crypto"]
    try:
        inbound, encrypted = wechat.unwrap(body, args, crypto)
    except wechat.Rejected as exc:
        log.info("rejected a POST from %s with %d: %s", req.remote_addr, exc.status, exc)
        return _plain("forbidden" if exc.status == 403 else "bad request", exc.status)
    try:
        reply = _reply_in_time(inbound, started, extensions)
    except Exception:  # the boundary: whatever broke, the citizen gets an answer and never a 5xx
        log.exception("message %s from %s failed", inbound.dedup_key, log_id(inbound.openid))
        reply = Reply(FALLBACK_TEXT)
    return _render(reply, inbound, crypto if encrypted else None, args)


@bp.errorhandler(Exception)
def _last_resort(exc: Exception) -> Response | HTTPException:
    """A bug outside the dispatcher (parsing, rendering) still answers 200 `success`, never a 5xx."""
    if isinstance(exc, HTTPException):
        return exc
    log.exception("unexpected error in %s %s", request.method, request.path)
    return _plain("success")


def _read_body(req: Request) -> bytes | None:
    """The body, or None when it is over MAX_BODY (by its Content-Length or by what arrives)."""
    if (req.content_length or 0) > MAX_BODY:
        return None
    body = req.stream.read(MAX_BODY + 1)
    return None if len(body) > MAX_BODY else body


def _crypto(runtime: "Runtime") -> wechat.Crypto | None:
    """Safe mode's keys, or None in plaintext mode; built once per app, not per message."""
    settings = runtime.settings
    if not settings.safe_mode:
        return None
    return wechat.Crypto(settings.wechat_token, settings.aes_keys, settings.wechat_appid)


class _Late(BaseException):
    """The alarm rang: a BaseException, so no `except Exception` on the way swallows it."""


def _reply_in_time(inbound: Inbound, started: float, extensions: Mapping[str, Any]) -> Reply:
    """The dispatcher's reply (once per message key), or BUSY_TEXT when it is not ready in time."""
    runtime: "Runtime" = extensions["pufa"]
    deadline = started + REPLY_SECONDS
    now = dt.datetime.now(SHANGHAI)
    deduper: Deduper = extensions["pufa.deduper"]

    def reply() -> Reply:
        return deduper.once(inbound, lambda claim: runtime.dispatcher.handle(inbound, now, claim),
                            deadline - RETRY_WAIT_MARGIN)

    try:
        if threading.current_thread() is threading.main_thread():
            _arm(deadline - time.monotonic())
            try:
                return reply()
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        pool: DispatchPool = extensions["pufa.dispatch_pool"]
        return pool.submit(reply).result(timeout=max(0.0, deadline - time.monotonic()))
    except (_Late, FutureTimeout):
        log.warning("message %s from %s: no reply within %.1f s, asked to resend",
                    inbound.dedup_key, log_id(inbound.openid), REPLY_SECONDS)
        return Reply(BUSY_TEXT)


def _ring(signum: int, frame: object) -> None:
    raise _Late()


@functools.cache
def _install_ring() -> None:
    """Once per process, and it stays (SIGALRM is unused otherwise): setting the handler on every
    message cost two system calls, and asking `signal.getsignal` for it ~20 k instructions."""
    signal.signal(signal.SIGALRM, _ring)


def _arm(seconds: float) -> None:
    """Raise `_Late` in this (main) thread when `seconds` have passed, unless the timer is set
    back to 0 first."""
    _install_ring()
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))


def _render(reply: Reply, inbound: Inbound, crypto: wechat.Crypto | None, args: Mapping[str, str]) -> Response:
    if reply.empty:
        return _plain("success")
    xml = wechat.render_text(reply.text, inbound)
    if crypto is not None:
        xml = crypto.seal(xml, args.get("nonce", ""))
    return Response(xml, mimetype="application/xml")


@bp.get("/healthz")
def healthz() -> Response:
    """What an operator or a probe needs; 200 even with Redis down, since the webhook still answers."""
    runtime = _runtime()
    snapshot = runtime.content.snapshot()
    content = snapshot.content
    return jsonify(
        content_version=snapshot.version,
        last_good=snapshot.from_last_good,
        content_error=snapshot.error,
        store=runtime.store.ping(),
        counts={"laws": len(content.laws), "items": len(content.items), "quiz": len(content.quiz),
                "menus": len(content.menus), "topics": len(content.topics)},
    )


def register(app: Flask, runtime: "Runtime") -> None:
    """Attach the runtime, what each message needs from it, and the blueprint to `app`."""
    app.extensions["pufa"] = runtime
    app.extensions["pufa.crypto"] = _crypto(runtime)
    app.extensions["pufa.deduper"] = Deduper(runtime.store)
    app.extensions["pufa.dispatch_pool"] = DispatchPool(DISPATCH_THREADS)
    app.register_blueprint(bp)
