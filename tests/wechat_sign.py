"""Requests as WeChat makes them, built independently of bot.wechat and of wechatpy.

Signing is SHA-1 over the sorted parts; safe mode is AES-256-CBC with key = base64(EncodingAESKey
+ "="), IV = the key's first 16 bytes, PKCS#7 padding to 32-byte blocks, and plaintext = 16 random
bytes + 4-byte big-endian length + XML + AppID. Other modules' tests may use these helpers.
"""
from __future__ import annotations

import base64
import hashlib
import itertools
import os
import struct
import time
from xml.sax.saxutils import escape

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# Tencent's published sample values.
TOKEN = "spamtest"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wx2c2769f8efd9abc2"
ACCOUNT = "gh_10f6c3c3ac5a"

_msg_ids = itertools.count(int(time.time()) * 1000)


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signed_query(token: str = TOKEN, timestamp: str | None = None, nonce: str = "1320562132") -> dict[str, str]:
    """The query string WeChat adds to every request."""
    timestamp = timestamp or str(int(time.time()))
    return {"signature": sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}


def new_msg_id() -> str:
    return str(next(_msg_ids))


def message_xml(openid: str, msg_type: str, account: str = ACCOUNT, create_time: int | None = None,
                **fields: str) -> bytes:
    """A message or event as WeChat sends it; `fields` become elements in order."""
    parts = [f"<ToUserName><![CDATA[{account}]]></ToUserName>",
             f"<FromUserName><![CDATA[{openid}]]></FromUserName>",
             f"<CreateTime>{create_time or int(time.time())}</CreateTime>",
             f"<MsgType><![CDATA[{msg_type}]]></MsgType>"]
    parts += [f"<{name}>{escape(str(value))}</{name}>" for name, value in fields.items()]
    return ("<xml>" + "".join(parts) + "</xml>").encode("utf-8")


def text_xml(openid: str, content: str, msg_id: str | None = None, **extra: str) -> bytes:
    return message_xml(openid, "text", Content=content, MsgId=msg_id or new_msg_id(), **extra)


def event_xml(openid: str, event: str, event_key: str = "", create_time: int | None = None, **extra: str) -> bytes:
    fields = {"Event": event, **({"EventKey": event_key} if event_key else {}), **extra}
    return message_xml(openid, "event", create_time=create_time, **fields)


def _cipher(aes_key: str) -> Cipher:
    key = base64.b64decode(aes_key + "=")
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def encrypt(xml: bytes, aes_key: str = AES_KEY, appid: str = APPID) -> str:
    plain = os.urandom(16) + struct.pack(">I", len(xml)) + xml + appid.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    encryptor = _cipher(aes_key).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(encrypted: str, aes_key: str = AES_KEY) -> tuple[bytes, str]:
    """(XML, AppID) from an `Encrypt` value."""
    decryptor = _cipher(aes_key).decryptor()
    plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    plain = plain[: -plain[-1]]
    (length,) = struct.unpack(">I", plain[16:20])
    return plain[20:20 + length], plain[20 + length:].decode()


def encrypted_post(xml: bytes, token: str = TOKEN, aes_key: str = AES_KEY, appid: str = APPID,
                   nonce: str = "1320562132", plaintext_too: bool = False) -> tuple[dict[str, str], bytes]:
    """(query, body) of a safe-mode POST; `plaintext_too` gives compatibility mode's body."""
    encrypted = encrypt(xml, aes_key, appid)
    query = signed_query(token, nonce=nonce)
    query.update(encrypt_type="aes", msg_signature=sign(token, query["timestamp"], nonce, encrypted))
    inner = xml.decode()[len("<xml>"):-len("</xml>")] if plaintext_too else ""
    body = f"<xml>{inner}<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()
    return query, body
