"""/admin/simulator: chat with the bot as a citizen would, through the dispatcher and content this server runs.

Each browser session gets its own simulator openid (`sim-<random>`), kept in the admin session,
so editors testing side by side do not share a menu position or a quiz. Trying unpublished edits
is a staging instance's job (its own CONTENT_DIR and REDIS_KEY_PREFIX; see docs/admin.md): this
page always shows what citizens get from this server.
"""
from __future__ import annotations

import datetime as dt
import secrets
import time

from flask import Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from bot.admin import auth, bp
from bot.citizens import SIMULATOR_PREFIX  # not citizens: kept out of tags, boards, analytics and gaps
from bot.clock import SHANGHAI
from bot.messages import Inbound

MAX_TEXT = 600  # a question, not a document: longer input is a paste no item would match
# While an edit on disk is refused, replies come from the last good content: an editor trying that
# edit here must not take the old answer for the new one.
STALE = "磁盘上的内容未通过检查，模拟器的回答来自上一版内容："


def _openid() -> str:
    openid = auth.session().get("sim", "")
    if not openid.startswith(SIMULATOR_PREFIX):
        openid = SIMULATOR_PREFIX + secrets.token_hex(8)
        auth.update_session(sim=openid)
    return openid


def _inbound(openid: str, body: dict) -> Inbound | None:
    """A text message, or the `subscribe` event (关注) that shows the welcome; None when malformed."""
    now = int(time.time())
    if body.get("event") == "subscribe":
        return Inbound(openid, "event", event="subscribe", create_time=now)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        return None
    return Inbound(openid, "text", text, msg_id=str(secrets.randbits(63)), create_time=now)


@bp.get("/simulator")
def simulator() -> ResponseReturnValue:
    snapshot = auth.runtime().content.snapshot()
    return render_template("simulator.html", openid=_openid(), snapshot=snapshot, stale=STALE,
                           csrf=auth.session()["csrf"], max_text=MAX_TEXT)


@bp.post("/simulator/send")
def simulator_send() -> ResponseReturnValue:
    body = request.get_json(silent=True)
    inbound = _inbound(_openid(), body) if isinstance(body, dict) else None
    if inbound is None:
        return jsonify(error=f"send JSON {{\"text\": \"…\"}} with 1–{MAX_TEXT} characters, "
                             "or {\"event\": \"subscribe\"}"), 400
    rt = auth.runtime()
    snapshot = rt.content.snapshot()
    reply = rt.dispatcher.handle(inbound, dt.datetime.now(SHANGHAI))
    return jsonify(reply=reply.text or "", openid=inbound.openid, content_version=snapshot.version,
                   last_good=snapshot.from_last_good, content_error=snapshot.error)


@bp.post("/simulator/reset")
def simulator_reset() -> Response:
    """Forget the simulator user everywhere and start over as a new one (a first-time citizen)."""
    rt = auth.runtime()
    rt.forget(_openid())
    openid = SIMULATOR_PREFIX + secrets.token_hex(8)
    auth.update_session(sim=openid)
    return jsonify(openid=openid)
