"""The one client of the WeChat Outbound API that every feature uses.

Every process on every host shares one access_token kept in Redis. Only the holder of a Redis
lock (SET NX PX) fetches a new one; the others wait for it to appear, so two refreshes never
race (the cause of the intermittent 40001s of gunicorn workers in wechatpy #334, WeRoBot #288).
The token comes from `/cgi-bin/token`: since only the lock holder ever calls it, its rotation is
ours alone, and recovering from a 40001 needs no forced `stable_token` refresh (20 a day).

Error codes become typed errors: 40001/42001/40014 refresh the token and retry once; -1 (busy) is
retried with capped exponential backoff; 45011 (per-minute limit) waits a minute; 45009 raises
`QuotaExhausted` at once; 45065 raises `AlreadySent`; anything else `WeChatAPIError`.
These calls block for seconds: they belong to the scheduler and the CLI, never to the webhook.
"""
from __future__ import annotations

import json
import logging
import time
from typing import Any, Callable, Iterable

import requests

from bot.errors import AlreadySent, QuotaExhausted, WeChatAPIError
from bot.locks import held

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.weixin.qq.com"
TOKEN_EXPIRED = frozenset({40001, 42001, 40014})  # invalid, expired, malformed access_token
BUSY, FREQUENCY_LIMIT, DAILY_QUOTA, DUPLICATE_CLIENTMSGID = -1, 45011, 45009, 45065
NO_MENU = 46003
TAG_BATCH = 50  # openids per batch (un)tagging call

# Refresh ahead of the 7200 s expiry; the lock outlives one token request with room to spare.
TOKEN_MARGIN_S = 300
LOCK_TTL_MS = 15_000
BUSY_RETRIES, BUSY_BASE_S, BUSY_CAP_S = 4, 1.0, 16.0
FREQUENCY_RETRIES, FREQUENCY_WAIT_S = 2, 60.0
HTTP_TIMEOUT_S = 10.0


class WeChatClient:
    """Calls the API with the shared token; `sleep` and `session` are injectable for tests."""

    def __init__(self, settings: Any, store: Any, *, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = (settings.wechat_api_base_url or DEFAULT_BASE_URL).rstrip("/")
        self.appid, self.secret = settings.wechat_appid, settings.wechat_secret
        self.store = store
        self.session = session or requests.Session()
        self.sleep = sleep
        self.token_key = store.key("wechat", "access_token")
        self.lock_key = store.key("wechat", "access_token", "lock")

    # -- the shared token ---------------------------------------------------------------

    def token(self) -> str:
        """The current shared token, fetched (under the lock) only when none is stored."""
        return self._stored(stale=None) or self._refresh(stale=None)

    def _stored(self, stale: str | None) -> str | None:
        """The token in Redis unless it is missing or still `stale`."""
        current = self.store.redis.get(self.token_key)
        return current.decode() if current and current.decode() != stale else None

    def _refresh(self, stale: str | None) -> str:
        """Replace `stale` by a new token: one holder fetches, the others wait for its result."""
        deadline = time.monotonic() + LOCK_TTL_MS / 1000 * 2
        while True:
            if fresh := self._stored(stale):
                return fresh
            with held(self.store.redis, self.lock_key, LOCK_TTL_MS) as got:
                if got:  # another holder may have stored one since the read above
                    return self._stored(stale) or self._fetch_token()
            if time.monotonic() > deadline:
                raise WeChatAPIError(BUSY, "timed out waiting for another process's token refresh",
                                     "/cgi-bin/token")
            time.sleep(0.05)

    def _fetch_token(self) -> str:
        if not self.appid or not self.secret:
            raise WeChatAPIError(40013, "WECHAT_APPID/WECHAT_SECRET are not set — set both to call "
                                 "the API", "/cgi-bin/token")
        body = self._http("GET", "/cgi-bin/token", {"grant_type": "client_credential",
                                                     "appid": self.appid, "secret": self.secret}, None)
        if body.get("errcode"):
            raise _error(body, "/cgi-bin/token")
        token, ttl = body["access_token"], int(body.get("expires_in", 7200))
        self.store.redis.set(self.token_key, token, ex=max(ttl - TOKEN_MARGIN_S, 60))
        log.info("fetched a new WeChat access_token (valid %ss)", ttl)
        return token

    # -- calls ----------------------------------------------------------------------------

    def get(self, path: str, params: dict | None = None) -> dict:
        return self._call("GET", path, params or {}, None)

    def post(self, path: str, payload: dict) -> dict:
        return self._call("POST", path, {}, payload)

    def _call(self, method: str, path: str, params: dict, payload: dict | None) -> dict:
        """One API call with the retry rules of the module docstring."""
        token, refreshed, busy, frequency = self.token(), False, 0, 0
        while True:
            body = self._http(method, path, {**params, "access_token": token}, payload)
            code = int(body.get("errcode") or 0)
            if code == 0:
                return body
            if code in TOKEN_EXPIRED and not refreshed:
                token, refreshed = self._refresh(stale=token), True
            elif code == BUSY and busy < BUSY_RETRIES:
                self.sleep(min(BUSY_CAP_S, BUSY_BASE_S * 2 ** busy))
                busy += 1
            elif code == FREQUENCY_LIMIT and frequency < FREQUENCY_RETRIES:
                self.sleep(FREQUENCY_WAIT_S)
                frequency += 1
            else:
                raise _error(body, path)

    def _http(self, method: str, path: str, params: dict, payload: dict | None) -> dict:
        """The HTTP exchange; a network failure or a non-JSON answer reads as -1 (busy)."""
        data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        try:
            response = self.session.request(
                method, self.base_url + path, params=params, data=data, timeout=HTTP_TIMEOUT_S,
                headers={"Content-Type": "application/json; charset=utf-8"} if data else None)
            response.raise_for_status()
            return response.json()
        except (requests.RequestException, ValueError) as exc:
            log.warning("WeChat API %s %s: %s", method, path, type(exc).__name__)
            return {"errcode": BUSY, "errmsg": f"{type(exc).__name__}: {exc}"}

    # -- menus ----------------------------------------------------------------------------

    def menu_get(self) -> dict | None:
        """The current menu, or None when the account has none (46003)."""
        try:
            return self.get("/cgi-bin/menu/get")
        except WeChatAPIError as exc:
            if exc.errcode == NO_MENU:
                return None
            raise

    def menu_create(self, buttons: list[dict]) -> None:
        self.post("/cgi-bin/menu/create", {"button": buttons})

    def menu_addconditional(self, buttons: list[dict], matchrule: dict) -> str:
        return str(self.post("/cgi-bin/menu/addconditional",
                             {"button": buttons, "matchrule": matchrule})["menuid"])

    def menu_delete(self) -> None:
        self.get("/cgi-bin/menu/delete")

    # -- tags -----------------------------------------------------------------------------

    def tags_get(self) -> list[dict]:
        """Every tag of the account: dicts with `id`, `name`, `count`."""
        return list(self.get("/cgi-bin/tags/get").get("tags", []))

    def tags_create(self, name: str) -> int:
        return int(self.post("/cgi-bin/tags/create", {"tag": {"name": name}})["tag"]["id"])

    def tag_users(self, tag_id: int, openids: Iterable[str]) -> None:
        self._batch_tagging("/cgi-bin/tags/members/batchtagging", tag_id, openids)

    def untag_users(self, tag_id: int, openids: Iterable[str]) -> None:
        self._batch_tagging("/cgi-bin/tags/members/batchuntagging", tag_id, openids)

    def _batch_tagging(self, path: str, tag_id: int, openids: Iterable[str]) -> None:
        """The API takes at most 50 openids a call, so longer lists go in several calls."""
        ids = list(openids)
        for start in range(0, len(ids), TAG_BATCH):
            self.post(path, {"openid_list": ids[start:start + TAG_BATCH], "tagid": tag_id})

    # -- mass send and customer-service messages --------------------------------------------

    def mass_send_by_tag(self, tag_id: int | None, content: str, clientmsgid: str) -> dict:
        """A text mass send to one tag, or to every follower when `tag_id` is None.

        The answer has `msg_id` (matched later by MASSSENDJOBFINISH); `AlreadySent` means a
        send with this clientmsgid happened within 24 h.
        """
        target = {"is_to_all": True} if tag_id is None else {"is_to_all": False, "tag_id": tag_id}
        return self.post("/cgi-bin/message/mass/sendall", {
            "filter": target, "msgtype": "text", "text": {"content": content},
            "clientmsgid": _checked_clientmsgid(clientmsgid)})

    def mass_preview(self, openid: str, content: str) -> None:
        self.post("/cgi-bin/message/mass/preview",
                  {"touser": openid, "msgtype": "text", "text": {"content": content}})

    def custom_send_text(self, openid: str, text: str) -> None:
        """A customer-service message; 45015 when the user's window is closed."""
        self.post("/cgi-bin/message/custom/send",
                  {"touser": openid, "msgtype": "text", "text": {"content": text}})


def _checked_clientmsgid(clientmsgid: str) -> str:
    if not clientmsgid or len(clientmsgid.encode()) > 64:
        raise ValueError(f"clientmsgid {clientmsgid!r} must be 1–64 bytes — derive it with "
                         "scheduler.send.clientmsgid")
    return clientmsgid


def _error(body: dict, api: str) -> WeChatAPIError:
    code, message = int(body.get("errcode") or 0), str(body.get("errmsg", ""))
    kind = {DAILY_QUOTA: QuotaExhausted, DUPLICATE_CLIENTMSGID: AlreadySent}.get(code, WeChatAPIError)
    return kind(code, message, api)
