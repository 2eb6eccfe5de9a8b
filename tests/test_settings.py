from __future__ import annotations

import dataclasses
import logging
import re
import threading
from pathlib import Path

import pytest

from bot.errors import SettingError
from bot.settings import SETTINGS, Settings, load_settings, settings_table

ROOT = Path(__file__).resolve().parent.parent
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def load(tmp_path: Path, **environ: str) -> Settings:
    return load_settings({"WECHAT_TOKEN": "abc123", **environ}, var_dir=tmp_path)


def test_defaults_follow_the_conventions(tmp_path):
    settings = load(tmp_path)
    assert settings.wechat_account_type == "subscription"
    assert settings.redis_key_prefix == "pufa:"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.campaign_grace == "same-day"
    assert settings.quiet_hours == (22, 8)
    assert settings.retention_days == 180
    assert settings.content_dir == Path("content") and settings.menus_dir == Path("menus")
    assert settings.wechat_api_base_url == "https://api.weixin.qq.com"


def test_every_setting_is_read_from_the_environment(tmp_path):
    settings = load(tmp_path, PORT="9001", QUIET_HOURS="23-07", CAMPAIGN_GRACE="6", WECHAT_ACCOUNT_TYPE="service",
                    PREVIEW_OPENIDS="o1, o2,", REDIS_URL="unix:///tmp/r.sock", RETENTION_DAYS="30")
    assert settings.port == 9001
    assert settings.quiet_hours == (23, 7)
    assert settings.campaign_grace == 6.0
    assert settings.wechat_account_type == "service"
    assert settings.preview_openids == ("o1", "o2")
    assert settings.redis_url == "unix:///tmp/r.sock"
    assert settings.retention_days == 30


def test_the_table_declares_each_field_of_settings_once():
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    declared = {s.attribute for s in SETTINGS}
    assert declared == {f.name for f in dataclasses.fields(Settings)} - {"token_generated"}


@pytest.mark.parametrize("name, value, hint", [
    ("WECHAT_AES_KEY", "tooshort", "43 characters"),
    ("WECHAT_AES_KEY", AES_KEY[:-1] + "!", "base64"),
    ("QUIET_HOURS", "22:00-08:00", "HH-HH"),
    ("QUIET_HOURS", "25-08", "HH-HH"),
    ("QUIET_HOURS", "08-08", "two different hours"),
    ("CAMPAIGN_GRACE", "tomorrow", "same-day, or a number of hours"),
    ("CAMPAIGN_GRACE", "-2", "same-day, or a number of hours"),
    ("CAMPAIGN_GRACE", "200", "between 0 and 168"),
    ("WECHAT_ACCOUNT_TYPE", "enterprise", "subscription, service"),
    ("PORT", "eighty", "port number"),
    ("PORT", "70000", "port number"),
    ("REDIS_URL", "http://localhost:6379", "redis://, rediss:// or unix://"),
    ("REDIS_SENTINELS", "10.0.0.5", "host:port"),
    ("RETENTION_DAYS", "0", "at least 1"),
    ("WECHAT_TOKEN", "has space", "3–32 letters or digits"),
    ("WECHAT_API_BASE_URL", "api.weixin.qq.com", "https://"),
])
def test_a_wrong_value_names_the_setting_the_value_and_the_fix(tmp_path, name, value, hint):
    with pytest.raises(SettingError) as caught:
        load(tmp_path, **{name: value})
    assert (caught.value.name, caught.value.value) == (name, value)
    assert hint in caught.value.fix
    assert name in str(caught.value) and repr(value) in str(caught.value)


def test_safe_mode_needs_the_appid(tmp_path):
    with pytest.raises(SettingError) as caught:
        load(tmp_path, WECHAT_AES_KEY=AES_KEY)
    assert caught.value.name == "WECHAT_APPID"


def test_the_previous_aes_key_is_tried_after_the_current_one(tmp_path):
    previous = AES_KEY[::-1]
    settings = load(tmp_path, WECHAT_AES_KEY=AES_KEY, WECHAT_AES_KEY_PREVIOUS=previous, WECHAT_APPID="wx1")
    assert settings.safe_mode and settings.aes_keys == (AES_KEY, previous)


def test_sentinels_need_a_master_name_and_exclude_a_url(tmp_path):
    with pytest.raises(SettingError) as caught:
        load(tmp_path, REDIS_SENTINELS="10.0.0.5:26379")
    assert caught.value.name == "REDIS_SENTINEL_MASTER"
    with pytest.raises(SettingError) as caught:
        load(tmp_path, REDIS_SENTINELS="a:1", REDIS_SENTINEL_MASTER="m", REDIS_URL="redis://x")
    assert "not both" in caught.value.fix
    settings = load(tmp_path, REDIS_SENTINELS="10.0.0.5:26379, 10.0.0.6:26380", REDIS_SENTINEL_MASTER="m")
    assert settings.redis_sentinels == (("10.0.0.5", 26379), ("10.0.0.6", 26380))


def test_overrides_win_over_the_environment_and_strings_are_parsed(tmp_path):
    settings = load_settings({"PORT": "9001", "WECHAT_TOKEN": "abc"}, var_dir=tmp_path, port="9002",
                             redis_url="redis://h:1/0")
    assert settings.port == 9002 and settings.redis_url == "redis://h:1/0"


def test_an_unknown_override_is_refused(tmp_path):
    with pytest.raises(TypeError, match="colour"):
        load_settings({}, var_dir=tmp_path, colour="red")


def test_without_a_token_a_development_token_is_generated_kept_and_announced(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        first = load_settings({}, var_dir=tmp_path)
    second = load_settings({}, var_dir=tmp_path)
    assert first.token_generated and re.fullmatch(r"[0-9a-f]{32}", first.wechat_token)
    assert second.wechat_token == first.wechat_token
    assert (tmp_path / "dev-token").read_text().strip() == first.wechat_token
    assert first.wechat_token in caplog.text and "production needs WECHAT_TOKEN" in caplog.text


def test_workers_starting_together_agree_on_one_development_token(tmp_path):
    tokens: list[str] = []
    threads = [threading.Thread(target=lambda: tokens.append(load_settings({}, var_dir=tmp_path).wechat_token))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(tokens) == 8 and len(set(tokens)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["dev-token"]
    assert (tmp_path / "dev-token").stat().st_mode & 0o077 == 0


def test_secrets_stay_out_of_the_repr(tmp_path):
    settings = load(tmp_path, WECHAT_SECRET="s3cr3t", ADMIN_TOKEN="adm1n", REDIS_PASSWORD="pw")
    assert not {"s3cr3t", "adm1n", "pw", "abc123"} & set(re.findall(r"'([^']*)'", repr(settings)))


def _readme_section() -> str | None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    match = re.search(r"<!-- settings -->(.*?)<!-- /?settings -->", text, re.S)
    return match[1] if match else None


def test_readme_settings_table_matches_the_code():
    """Every README row names settings in backticks with their documented default; no setting is missing."""
    section = _readme_section()
    if section is None:
        pytest.skip("README.md has no <!-- settings --> section yet")
    documented = {name: default for name, default, _ in settings_table()}
    seen: set[str] = set()
    for row in re.findall(r"^\|(.+)\|\s*$", section, re.M):
        cells = [c.strip() for c in row.split("|")]
        names = re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[0])
        for name in names:
            assert name in documented, f"README documents {name}, which the code does not declare"
            assert documented[name] in cells[1], \
                f"README's default for {name} is {cells[1]!r}, not {documented[name]!r}"
        seen.update(names)
    assert seen == set(documented), f"README lacks {sorted(set(documented) - seen)}"

