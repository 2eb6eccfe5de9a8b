"""A stand-in for the WeChat Outbound API on loopback, strict about the real rules.

It issues access tokens (a new one invalidates the old: 40001; an expired one: 42001), rejects a
clientmsgid reused within 24 h (45065), allows a subscription account one mass send a day
(45009 after), checks tagging batches (≤ 50) and customer-service texts (≤ 2048 bytes), and
can be scripted to fail: `busy_sends = N` answers -1 to the next N mass sends, `fail(path, code, n)`
answers `code` to the next n calls of `path`. Every call is recorded in `calls`.
The clock (`now`) is settable so tests can expire tokens and cross days without sleeping.
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.wechat_api import WeChatClient

APPID, SECRET = "wxstandin0000001", "standin-secret"
TOKEN_TTL_S = 7200
CLIENTMSGID_WINDOW_S = 24 * 3600
CHINA = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: dict[str, Any]
    errcode: int


@dataclass
class State:
    """Everything the stand-in knows; guarded by `lock` since the server is threaded."""

    account_type: str = "subscription"
    now: float = field(default_factory=time.time)
    tokens: dict[str, float] = field(default_factory=dict)  # token → expiry
    current_token: str = ""
    clientmsgids: dict[str, float] = field(default_factory=dict)
    mass_per_day: Counter = field(default_factory=Counter)
    tags: dict[int, str] = field(default_factory=dict)
    members: dict[int, set[str]] = field(default_factory=dict)
    menu: dict | None = None
    busy_sends: int = 0
    scripted: dict[str, list[int]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    sent: list[dict] = field(default_factory=list)  # accepted mass sends, with msg_id
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: Any = field(default_factory=lambda: itertools.count(1000))


class StandIn:
    """Start with `StandIn()`; `url` is the base URL; `close()` stops it."""

    def __init__(self, account_type: str = "subscription") -> None:
        self.state = State(account_type=account_type)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self.state))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def settings(self, **overrides: Any) -> "Settings":
        """The bot's settings pointed at this stand-in with its credentials; `overrides` as `load_settings`."""
        from bot.settings import load_settings

        return load_settings({}, **{"wechat_api_base_url": self.url, "wechat_appid": APPID,
                                    "wechat_secret": SECRET, "wechat_token": "testtoken", **overrides})

    def client(self, store: Any, sleep: Callable[[float], None] = lambda s: None) -> "WeChatClient":
        """The bot's API client on this stand-in; it does not really sleep between retries."""
        from bot.wechat_api import WeChatClient

        return WeChatClient(self.settings(), store, sleep=sleep)

    def fail(self, path: str, errcode: int, times: int = 1) -> None:
        """Answer `errcode` to the next `times` calls of `path`."""
        with self.state.lock:
            self.state.scripted.setdefault(path, []).extend([errcode] * times)

    def advance(self, seconds: float) -> None:
        with self.state.lock:
            self.state.now += seconds

    def calls_to(self, path: str) -> list[Call]:
        with self.state.lock:
            return [c for c in self.state.calls if c.path == path]

    @property
    def mass_sends(self) -> list[dict]:
        with self.state.lock:
            return list(self.state.sent)


def _handler_for(state: State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._serve({})

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw.decode("utf-8")) if raw else {}
            except (UnicodeDecodeError, ValueError):
                body = {"__invalid__": True}
            self._serve(body)

        def _serve(self, body: dict) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            with state.lock:
                answer = _answer(state, url.path, query, body)
                state.calls.append(Call(self.command, url.path, query, body,
                                        int(answer.get("errcode") or 0)))
            data = json.dumps(answer, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def _err(code: int, message: str = "") -> dict:
    return {"errcode": code, "errmsg": message or f"standin error {code}"}


def _answer(state: State, path: str, query: dict[str, str], body: dict) -> dict:
    if path == "/cgi-bin/token":
        return _issue_token(state, query)
    token = query.get("access_token", "")
    if token not in state.tokens or token != state.current_token:
        return _err(40001, "invalid credential, access_token is invalid or not latest")
    if state.tokens[token] <= state.now:
        return _err(42001, "access_token expired")
    scripted = state.scripted.get(path)
    if scripted:
        return _err(scripted.pop(0))
    if body.get("__invalid__"):
        return _err(47001, "data format error")
    route = ROUTES.get(path)
    return route(state, body) if route else _err(48001, f"api unauthorized: {path}")


def _issue_token(state: State, query: dict[str, str]) -> dict:
    if query.get("appid") != APPID or query.get("secret") != SECRET:
        return _err(40125, "invalid appsecret")
    token = f"token-{next(state.ids)}"
    state.tokens[token] = state.now + TOKEN_TTL_S
    state.current_token = token
    return {"access_token": token, "expires_in": TOKEN_TTL_S}


def _mass(state: State, body: dict) -> dict:
    if state.busy_sends > 0:
        state.busy_sends -= 1
        return _err(-1, "system error")
    clientmsgid = body.get("clientmsgid", "")
    if len(clientmsgid.encode()) > 64:
        return _err(40003, "clientmsgid too long")
    if clientmsgid and state.now - state.clientmsgids.get(clientmsgid, -1e12) < CLIENTMSGID_WINDOW_S:
        return _err(45065, "clientmsgid exist")
    day = dt.datetime.fromtimestamp(state.now, CHINA).date()
    if state.account_type == "subscription" and state.mass_per_day[day] >= 1:
        return _err(45009, "reach max api daily quota limit")
    if not body.get("text", {}).get("content"):
        return _err(44003, "empty content")
    state.mass_per_day[day] += 1
    if clientmsgid:
        state.clientmsgids[clientmsgid] = state.now
    msg_id = next(state.ids)
    state.sent.append({**body, "msg_id": msg_id, "at": state.now})
    return {"errcode": 0, "errmsg": "send job submission success", "msg_id": msg_id,
            "msg_data_id": msg_id}


def _tagging(add: bool) -> Callable[[State, dict], dict]:
    def route(state: State, body: dict) -> dict:
        ids, tag = body.get("openid_list", []), body.get("tagid")
        if len(ids) > 50:
            return _err(40032, "invalid openid list size")
        if tag not in state.tags:
            return _err(45159, "invalid tag id")
        members = state.members.setdefault(tag, set())
        (members.update if add else members.difference_update)(ids)
        return _err(0, "ok")
    return route


def _tags_create(state: State, body: dict) -> dict:
    name = body.get("tag", {}).get("name", "")
    if name in state.tags.values():
        return _err(45157, "invalid tag name")
    if len(name) > 30:
        return _err(45158, "tag name too long")
    if len(state.tags) >= 100:
        return _err(45056, "too many tags")
    tag_id = max(state.tags, default=99) + 1
    state.tags[tag_id] = name
    return {"tag": {"id": tag_id, "name": name}}


def _tags_get(state: State, body: dict) -> dict:
    return {"tags": [{"id": i, "name": n, "count": len(state.members.get(i, ()))}
                     for i, n in sorted(state.tags.items())]}


def _menu_create(state: State, body: dict) -> dict:
    state.menu = {"button": body.get("button", [])}
    return _err(0, "ok")


def _menu_get(state: State, body: dict) -> dict:
    return {"menu": state.menu} if state.menu else _err(46003, "menu no exist")


def _menu_delete(state: State, body: dict) -> dict:
    state.menu = None
    return _err(0, "ok")


def _menu_addconditional(state: State, body: dict) -> dict:
    return {"menuid": str(next(state.ids))} if state.menu else _err(65303, "no default menu")


def _preview(state: State, body: dict) -> dict:
    return _err(0, "preview success") if body.get("touser") else _err(40003, "invalid openid")


def _custom_send(state: State, body: dict) -> dict:
    content = body.get("text", {}).get("content", "")
    if len(content.encode()) > 2048:
        return _err(45002, "content size out of limit")
    return _err(0, "ok") if body.get("touser") else _err(40003, "invalid openid")


ROUTES: dict[str, Callable[[State, dict], dict]] = {
    "/cgi-bin/message/mass/sendall": _mass,
    "/cgi-bin/message/mass/preview": _preview,
    "/cgi-bin/message/custom/send": _custom_send,
    "/cgi-bin/tags/create": _tags_create,
    "/cgi-bin/tags/get": _tags_get,
    "/cgi-bin/tags/members/batchtagging": _tagging(True),
    "/cgi-bin/tags/members/batchuntagging": _tagging(False),
    "/cgi-bin/menu/create": _menu_create,
    "/cgi-bin/menu/get": _menu_get,
    "/cgi-bin/menu/delete": _menu_delete,
    "/cgi-bin/menu/addconditional": _menu_addconditional,
}
