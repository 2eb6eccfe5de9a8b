from __future__ import annotations

import pytest

from bot import wechat
from bot.messages import Inbound
from bot.wechat import BadMessage, BadSignature, Crypto
from tests import wechat_sign as ws

# Tencent's published decryption sample (WXBizMsgCrypt's demo).
SAMPLE_TIMESTAMP = "1409735669"
SAMPLE_NONCE = "1320562132"
SAMPLE_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
SAMPLE_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2L"
    "dJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6u"
    "x5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJ"
    "pXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCz"
    "pu9GhglF2PE="
)
OTHER_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkj"
CRYPTO = Crypto(ws.TOKEN, (ws.AES_KEY,), ws.APPID)


def test_signature_is_checked_against_the_token():
    query = ws.signed_query()
    assert wechat.check_signature(ws.TOKEN, query["signature"], query["timestamp"], query["nonce"])
    assert not wechat.check_signature("other", query["signature"], query["timestamp"], query["nonce"])
    assert not wechat.check_signature(ws.TOKEN, "", query["timestamp"], query["nonce"])
    assert not wechat.check_signature(ws.TOKEN, "签名", query["timestamp"], query["nonce"])


def test_tencents_sample_decrypts_with_msg_signature():
    xml = CRYPTO.open(SAMPLE_ENCRYPT, SAMPLE_MSG_SIGNATURE, SAMPLE_TIMESTAMP, SAMPLE_NONCE)
    inbound = wechat.parse(xml)
    assert (inbound.openid, inbound.kind, inbound.text) == ("oyORnuP8q7ou2gfYjqLzSIWZf0rs", "text", "abcdteT")
    assert (inbound.msg_id, inbound.account) == ("6054768590064713728", "gh_10f6c3c3ac5a")


def test_decryption_refuses_the_plain_signature_in_place_of_msg_signature():
    plain_signature = ws.sign(ws.TOKEN, SAMPLE_TIMESTAMP, SAMPLE_NONCE)
    with pytest.raises(BadSignature):
        CRYPTO.open(SAMPLE_ENCRYPT, plain_signature, SAMPLE_TIMESTAMP, SAMPLE_NONCE)


def _open(encrypted: str, crypto: Crypto = CRYPTO) -> bytes:
    return crypto.open(encrypted, ws.sign(crypto.token, "1", "2", encrypted), "1", "2")


def test_a_message_encrypted_independently_decrypts():
    xml = ws.text_xml("oUser1", "劳动合同 ]]> 试用期")
    assert _open(ws.encrypt(xml)) == xml


def test_the_previous_key_is_tried_after_the_current_one():
    rotated = Crypto(ws.TOKEN, (OTHER_KEY, ws.AES_KEY), ws.APPID)
    xml = ws.text_xml("oUser1", "旧密钥")
    assert _open(ws.encrypt(xml, ws.AES_KEY), rotated) == xml
    assert _open(ws.encrypt(xml, OTHER_KEY), rotated) == xml


def test_an_unknown_key_fails_decryption():
    with pytest.raises(BadMessage, match="does not decrypt"):
        _open(ws.encrypt(ws.text_xml("oUser1", "x"), OTHER_KEY))


def test_another_appid_is_refused():
    with pytest.raises(BadMessage, match="AppID"):
        _open(ws.encrypt(ws.text_xml("oUser1", "x"), appid="wx0000000000000000"))


@pytest.mark.parametrize("encrypted", ["", "not base64!", "QUJD", "A" * 44])
def test_garbage_ciphertext_is_a_bad_message(encrypted):
    with pytest.raises(BadMessage):
        _open(encrypted)


def test_sealed_replies_decrypt_independently_and_carry_a_valid_msg_signature():
    envelope = wechat.read_xml(CRYPTO.seal("<xml><Content><![CDATA[好]]></Content></xml>", "77").encode())
    assert set(envelope) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    assert envelope["Nonce"] == "77"
    assert envelope["MsgSignature"] == ws.sign(ws.TOKEN, envelope["TimeStamp"], "77", envelope["Encrypt"])
    assert ws.decrypt(envelope["Encrypt"]) == ("<xml><Content><![CDATA[好]]></Content></xml>".encode(), ws.APPID)


def test_text_is_parsed_with_its_raw_fields():
    inbound = wechat.parse(ws.text_xml("oUser1", "  公司不签劳动合同怎么办 ", msg_id="42"))
    assert inbound == Inbound(openid="oUser1", kind="text", text="  公司不签劳动合同怎么办 ", msg_id="42",
                              create_time=inbound.create_time, account=ws.ACCOUNT, fields=inbound.fields)
    assert inbound.fields["Content"] == "  公司不签劳动合同怎么办 " and inbound.dedup_key == "m:42"


def test_voice_with_recognition_reads_as_its_text():
    inbound = wechat.parse(ws.message_xml("oUser1", "voice", MediaId="m", Format="amr", Recognition="拖欠工资怎么办",
                                          MsgId="7"))
    assert (inbound.kind, inbound.text, inbound.is_text) == ("voice", "拖欠工资怎么办", True)


def test_voice_without_recognition_has_no_text():
    inbound = wechat.parse(ws.message_xml("oUser1", "voice", MediaId="m", Format="amr", MsgId="7"))
    assert (inbound.kind, inbound.text, inbound.is_text) == ("voice", "", False)


@pytest.mark.parametrize("kind, fields", [
    ("image", {"PicUrl": "http://x/p.jpg", "MediaId": "m"}),
    ("video", {"MediaId": "m", "ThumbMediaId": "t"}),
    ("shortvideo", {"MediaId": "m", "ThumbMediaId": "t"}),
    ("location", {"Location_X": "23.1", "Location_Y": "113.3", "Scale": "20", "Label": "广州"}),
    ("link", {"Title": "t", "Description": "d", "Url": "http://x"}),
    ("file", {"Title": "合同.pdf", "Description": "d", "FileKey": "k", "FileMd5": "m", "FileTotalLen": "9"}),
])
def test_media_messages_keep_their_kind_and_fields(kind, fields):
    inbound = wechat.parse(ws.message_xml("oUser1", kind, MsgId="9", **fields))
    assert (inbound.kind, inbound.text, inbound.msg_id) == (kind, "", "9")
    assert all(inbound.fields[name] == value for name, value in fields.items())


def test_an_unknown_message_type_is_kept_as_unknown():
    assert wechat.parse(ws.message_xml("oUser1", "miniprogrampage", MsgId="9")).kind == "unknown"


@pytest.mark.parametrize("event, key", [
    ("subscribe", ""), ("subscribe", "qrscene_123"), ("unsubscribe", ""), ("CLICK", "menu:main"),
    ("VIEW", "https://example.org"), ("SCAN", "123"), ("LOCATION", ""),
])
def test_events_carry_their_name_and_key_as_sent(event, key):
    inbound = wechat.parse(ws.event_xml("oUser1", event, key, create_time=1700000000))
    assert (inbound.kind, inbound.event, inbound.event_key, inbound.msg_id) == ("event", event, key, "")
    assert inbound.dedup_key == f"e:1700000000:{event}:{key}"


def test_a_mass_send_report_keeps_its_counts_and_job_id():
    xml = ws.event_xml("oAdmin", "MASSSENDJOBFINISH", MsgID="1000001625", Status="send success",
                       TotalCount="100", FilterCount="80", SentCount="75", ErrorCount="5")
    inbound = wechat.parse(xml)
    assert inbound.event == "MASSSENDJOBFINISH" and inbound.msg_id == ""
    counts = (inbound.fields["MsgID"], inbound.fields["SentCount"], inbound.fields["ErrorCount"])
    assert counts == ("1000001625", "75", "5")


def test_nested_fields_are_named_by_their_path():
    xml = (b"<xml><ToUserName>gh</ToUserName><FromUserName>oU</FromUserName><CreateTime>1</CreateTime>"
           b"<MsgType>event</MsgType><Event>TEMPLATESENDJOBFINISH</Event><MsgID>5</MsgID><Status>success</Status>"
           b"<ScanCodeInfo><ScanType>qrcode</ScanType><ScanResult>1</ScanResult></ScanCodeInfo></xml>")
    inbound = wechat.parse(xml)
    assert inbound.event == "TEMPLATESENDJOBFINISH"
    assert inbound.fields["ScanCodeInfo.ScanType"] == "qrcode" and "ScanCodeInfo" not in inbound.fields


BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xml><FromUserName>oU</FromUserName><MsgType>text</MsgType><Content>&lol3;</Content></xml>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><FromUserName>oU</FromUserName><MsgType>text</MsgType><Content>&xxe;</Content></xml>"""
DTD_ONLY = b"""<!DOCTYPE xml SYSTEM "http://attacker.example/x.dtd"><xml><FromUserName>oU</FromUserName></xml>"""


@pytest.mark.parametrize("body", [BOMB, XXE, DTD_ONLY], ids=["bomb", "xxe", "external-dtd"])
def test_any_dtd_is_refused_before_a_field_is_read(body):
    with pytest.raises(BadMessage, match="DTD"):
        wechat.parse(body)


@pytest.mark.parametrize("body", [
    b"", b"garbage", b"<xml>", b"<xml><Content>&undefined;</Content></xml>", b"<html><body/></html>",
    b"<xml><MsgType>text</MsgType></xml>", b"<xml><FromUserName>o}x{y</FromUserName><MsgType>text</MsgType></xml>",
    b"<xml><FromUserName>oU</FromUserName></xml>",
], ids=["empty", "garbage", "unclosed", "entity", "not-xml-root", "no-openid", "hostile-openid", "no-type"])
def test_what_is_not_a_message_is_a_bad_message(body):
    with pytest.raises(BadMessage):
        wechat.parse(body)


def test_render_text_escapes_cdata_terminators_and_round_trips():
    inbound = wechat.parse(ws.text_xml("oUser1", "hi"))
    text = "《宪法》第三十五条 ]]> <b>&amp; ]]]]>"
    fields = wechat.read_xml(wechat.render_text(text, inbound).encode())
    assert fields["Content"] == text
    assert (fields["ToUserName"], fields["FromUserName"], fields["MsgType"]) == ("oUser1", ws.ACCOUNT, "text")


def test_render_text_drops_characters_xml_forbids():
    inbound = wechat.parse(ws.text_xml("oUser1", "hi"))
    assert wechat.read_xml(wechat.render_text("a\x00b\x1bc\n", inbound).encode())["Content"] == "abc\n"


def test_an_oversize_reply_is_cut_to_2048_bytes_at_a_character_boundary():
    inbound = wechat.parse(ws.text_xml("oUser1", "hi"))
    content = wechat.read_xml(wechat.render_text("法" * 1000, inbound).encode())["Content"]
    assert len(content.encode()) <= 2048 and content.endswith("…") and set(content[:-1]) == {"法"}
    assert wechat.fit("法" * 682) == "法" * 682


def test_compatibility_mode_trusts_the_encrypted_copy():
    query, body = ws.encrypted_post(ws.text_xml("oUser1", "加密的"), plaintext_too=True)
    forged = body.replace("加密的".encode(), "伪造的".encode(), 1)
    assert forged != body
    inbound, encrypted = wechat.unwrap(forged, query, CRYPTO)
    assert (inbound.text, encrypted) == ("加密的", True)


def test_compatibility_mode_without_a_key_reads_the_plaintext():
    query, body = ws.encrypted_post(ws.text_xml("oUser1", "明文"), plaintext_too=True)
    inbound, encrypted = wechat.unwrap(body, query, None)
    assert (inbound.text, encrypted) == ("明文", False)


def test_safe_mode_without_a_key_is_a_bad_message():
    query, body = ws.encrypted_post(ws.text_xml("oUser1", "x"))
    with pytest.raises(BadMessage, match="WECHAT_AES_KEY"):
        wechat.unwrap(body, query, None)
