"""The WeChat wire format: signatures, safe-mode crypto, parsing and rendering.

The only module that imports wechatpy. XML is read with a hardened expat pass that refuses any
DTD (so no entity expansion, no XML bomb, no XXE) before a single field is trusted, because the
body of a plaintext message is not covered by WeChat's signature.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import struct
import time
from dataclasses import dataclass
from typing import Mapping
from xml.parsers import expat

from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException

from bot.errors import PufaError
from bot.messages import Inbound
from bot.pages import MAX_BYTES

log = logging.getLogger(__name__)

KINDS = frozenset({"text", "voice", "image", "video", "shortvideo", "location", "link", "file", "event"})
_OPENID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Rejected(PufaError):
    """A request the webhook refuses; `status` is the HTTP answer the conventions prescribe."""

    status = 400


class BadSignature(Rejected):
    status = 403


class BadMessage(Rejected):
    status = 400


def sign(*parts: str) -> str:
    """WeChat's signature: SHA-1 over the parts sorted and joined."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def check_signature(token: str, signature: str, timestamp: str, nonce: str) -> bool:
    """Whether the query's `signature` is WeChat's, compared in constant time."""
    return hmac.compare_digest(sign(token, timestamp, nonce).encode(), signature.encode())


@dataclass(frozen=True)
class Crypto:
    """Safe mode: the token, the EncodingAESKeys (current first) and the AppID messages must carry."""

    token: str
    keys: tuple[str, ...]
    appid: str

    def open(self, encrypted: str, msg_signature: str, timestamp: str, nonce: str) -> bytes:
        """The decrypted XML; BadSignature for a wrong `msg_signature`, BadMessage for anything else."""
        expected = sign(self.token, timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected.encode(), msg_signature.encode()):
            raise BadSignature("msg_signature does not match the Encrypt field")
        other_appid = False
        for key in self.keys:
            try:
                return PrpCrypto(_key_bytes(key)).decrypt(encrypted, self.appid).encode()
            except InvalidAppIdException:
                other_appid = True
            except (ValueError, IndexError, struct.error):
                continue
        if other_appid:
            raise BadMessage("the message does not decrypt to this AppID with any configured EncodingAESKey")
        raise BadMessage("the message does not decrypt with any configured EncodingAESKey")

    def seal(self, xml: str, nonce: str) -> str:
        """The encrypted reply envelope (Encrypt, MsgSignature, TimeStamp, Nonce), with the current key."""
        return WeChatCrypto(self.token, self.keys[0], self.appid).encrypt_message(xml, nonce, str(int(time.time())))


def _key_bytes(key: str) -> bytes:
    return base64.b64decode(key + "=")


def read_xml(data: bytes) -> dict[str, str]:
    """The fields of a WeChat `<xml>` document, refusing DTDs; nested fields as `Parent.Child`.

    A repeated field keeps its first value: WeChat's flat messages never repeat one.
    """
    fields: dict[str, str] = {}
    path: list[str] = []
    text: list[str] = []
    leaf = [False]  # whether the element being closed had no child elements

    def start(tag: str, _attrs: dict) -> None:
        if not path and tag != "xml":
            raise BadMessage(f"the root element is <{tag}>, not <xml>")
        path.append(tag)
        text.clear()
        leaf[0] = True

    def end(_tag: str) -> None:
        if leaf[0] and len(path) > 1:
            fields.setdefault(".".join(path[1:]), "".join(text))
        path.pop()
        text.clear()
        leaf[0] = False

    def refuse(*_args: object) -> None:
        raise BadMessage("the XML carries a DTD or an entity declaration")

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise BadMessage(f"malformed XML: {exc}") from None
    return fields


def parse(xml: bytes) -> Inbound:
    """A typed message from WeChat's XML; BadMessage when it is not one."""
    return _inbound(read_xml(xml))


def _inbound(fields: Mapping[str, str]) -> Inbound:
    openid = fields.get("FromUserName", "").strip()
    if not _OPENID.fullmatch(openid):
        raise BadMessage("FromUserName is missing or not an openid")
    msg_type = fields.get("MsgType", "").strip().lower()
    if not msg_type:
        raise BadMessage("MsgType is missing")
    kind = msg_type if msg_type in KINDS else "unknown"
    text = {"text": fields.get("Content", ""), "voice": fields.get("Recognition", "")}.get(kind, "")
    created = fields.get("CreateTime", "").strip()
    return Inbound(
        openid=openid,
        kind=kind,
        text=text,
        event=fields.get("Event", "").strip() if kind == "event" else "",
        event_key=fields.get("EventKey", "").strip() if kind == "event" else "",
        msg_id=fields.get("MsgId", "").strip(),
        create_time=int(created) if created.isdigit() else 0,
        account=fields.get("ToUserName", "").strip(),
        fields=dict(fields),
    )


def unwrap(body: bytes, args: Mapping[str, str], crypto: Crypto | None) -> tuple[Inbound, bool]:
    """The message of a POST and whether it came encrypted (so the reply must be too).

    Safe and compatibility mode (`encrypt_type=aes`) trust only the decrypted `Encrypt`; without
    a configured key, a compatibility-mode message is read from its plaintext fields.
    """
    fields = read_xml(body)
    if args.get("encrypt_type", "").lower() != "aes":
        return _inbound(fields), False
    if crypto is not None and "Encrypt" in fields:
        inner = crypto.open(fields["Encrypt"], args.get("msg_signature", ""),
                            args.get("timestamp", ""), args.get("nonce", ""))
        return parse(inner), True
    if crypto is None and "MsgType" in fields:
        return _inbound(fields), False
    if crypto is None:
        raise BadMessage("an encrypted message arrived but WECHAT_AES_KEY is not set")
    raise BadMessage("encrypt_type=aes but the body has no Encrypt field")


def render_text(text: str, inbound: Inbound) -> str:
    """A passive text reply to `inbound`, at most 2048 bytes of content, CDATA-safe."""
    return (
        f"<xml><ToUserName>{_cdata(inbound.openid)}</ToUserName>"
        f"<FromUserName>{_cdata(inbound.account)}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{_cdata(fit(text))}</Content></xml>"
    )


def fit(text: str, limit: int = MAX_BYTES) -> str:
    """The text cut at a character boundary to `limit` UTF-8 bytes: the last guard, the pager comes first."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    log.warning("reply of %d bytes cut to %d: the dispatcher should have paginated it", len(data), limit)
    ellipsis = "…"
    return data[: limit - len(ellipsis.encode())].decode("utf-8", errors="ignore") + ellipsis


def _cdata(value: str) -> str:
    """`value` in CDATA: `]]>` split across two sections, characters XML forbids dropped."""
    return "<![CDATA[" + _XML_INVALID.sub("", value).replace("]]>", "]]]]><![CDATA[>") + "]]>"
