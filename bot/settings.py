"""Every setting once: name, default, help and parser, read from the environment.

The table below is the single source: `load_settings` reads it, `settings_table()` renders it for
the README (a test fails when the two drift), and a wrong value stops the start with a
`SettingError` naming the setting, the value and the fix.
"""
from __future__ import annotations

import base64
import binascii
import logging
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Mapping

from bot.errors import SettingError

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Settings:
    wechat_token: str = field(repr=False)
    wechat_appid: str
    wechat_secret: str = field(repr=False)
    wechat_aes_key: str = field(repr=False)
    wechat_aes_key_previous: str = field(repr=False)
    wechat_api_base_url: str
    wechat_account_type: Literal["subscription", "service"]
    redis_url: str
    redis_sentinels: tuple[tuple[str, int], ...]
    redis_sentinel_master: str
    redis_password: str = field(repr=False)
    redis_key_prefix: str
    host: str
    port: int
    admin_token: str = field(repr=False)
    secret_key: str = field(repr=False)
    pseudonym_key: str = field(repr=False)
    content_dir: Path
    menus_dir: Path
    preview_openids: tuple[str, ...]
    campaign_grace: float | Literal["same-day"]  # hours, or until quiet hours begin that day
    quiet_hours: tuple[int, int]  # (start hour, end hour), Asia/Shanghai; may wrap midnight
    retention_days: int
    var_dir: Path
    token_generated: bool = False  # WECHAT_TOKEN was unset: a development token is in use

    @property
    def safe_mode(self) -> bool:
        """Whether messages can be decrypted: an EncodingAESKey is configured."""
        return bool(self.wechat_aes_key)

    @property
    def aes_keys(self) -> tuple[str, ...]:
        """The current EncodingAESKey, then the previous one (kept while the console rotates)."""
        return tuple(k for k in (self.wechat_aes_key, self.wechat_aes_key_previous) if k)


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    parse: Callable[[str, str], Any]  # (name, raw value) -> typed value; raises SettingError
    shown_default: str = ""  # how the README shows a default that is not a literal value

    @property
    def attribute(self) -> str:
        return self.name.lower()

    @property
    def documented_default(self) -> str:
        if self.shown_default:
            return self.shown_default
        return f"`{self.default}`" if self.default else "—"


def _text(name: str, raw: str) -> str:
    return raw.strip()


def _token(name: str, raw: str) -> str:
    value = raw.strip()
    if value and not re.fullmatch(r"[A-Za-z0-9]{3,32}", value):
        raise SettingError(name, raw, "use 3–32 letters or digits, as the official-account console requires")
    return value


def _aes_key(name: str, raw: str) -> str:
    value = raw.strip()
    if not value:
        return ""
    fix = "paste the EncodingAESKey from 设置与开发 → 基本配置 of the console"
    if len(value) != 43:
        raise SettingError(name, raw, f"it must be 43 characters, not {len(value)}; {fix}")
    try:
        key = base64.b64decode(value + "=", validate=True)
    except binascii.Error:
        raise SettingError(name, raw, f"it is not base64 (letters and digits only); {fix}") from None
    if len(key) != 32:
        raise SettingError(name, raw, fix)
    return value


def _http_url(name: str, raw: str) -> str:
    value = raw.strip().rstrip("/")
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
        raise SettingError(name, raw, "use an http:// or https:// URL such as https://api.weixin.qq.com")
    return value


def _choice(*choices: str) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        value = raw.strip().lower()
        if value not in choices:
            raise SettingError(name, raw, f"use one of: {', '.join(choices)}")
        return value

    return parse


def _redis_url(name: str, raw: str) -> str:
    value = raw.strip()
    if value and not value.startswith(("redis://", "rediss://", "unix://")):
        raise SettingError(name, raw, "use a redis://, rediss:// or unix:// URL, or unset it for the embedded Redis")
    return value


def _host_port(name: str, part: str, raw: str) -> tuple[str, int]:
    host, sep, port = part.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingError(name, raw, "use host:port pairs separated by commas, e.g. 10.0.0.5:26379,10.0.0.6:26379")
    return host, int(port)


def _sentinels(name: str, raw: str) -> tuple[tuple[str, int], ...]:
    return tuple(_host_port(name, part, raw) for part in raw.split(",") if part.strip())


def _port(name: str, raw: str) -> int:
    value = raw.strip()
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SettingError(name, raw, "use a port number between 1 and 65535")
    return int(value)


def _positive_int(name: str, raw: str) -> int:
    value = raw.strip()
    if not value.isdigit() or int(value) < 1:
        raise SettingError(name, raw, "use a whole number of days, at least 1")
    return int(value)


def _path(name: str, raw: str) -> Path:
    if not raw.strip():
        raise SettingError(name, raw, "name a folder")
    return Path(raw.strip())


def _list(name: str, raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _grace(name: str, raw: str) -> float | Literal["same-day"]:
    value = raw.strip().lower()
    if value == "same-day":
        return "same-day"
    try:
        hours = float(value)
    except ValueError:
        hours = -1.0
    # 168 as before the rule that a send never leaves its own day: a larger value now simply means
    # "until midnight", and refusing it would stop the web, which reads the same settings, on a deploy.
    if not 0 <= hours <= 168:
        raise SettingError(name, raw, "use same-day, or a number of hours between 0 and 168, e.g. 6")
    return hours


def _quiet_hours(name: str, raw: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d{1,2})\s*-\s*(\d{1,2})\s*", raw)
    start, end = (int(match[1]), int(match[2])) if match else (-1, -1)
    if not (0 <= start <= 23 and 0 <= end <= 23) or start == end:
        raise SettingError(name, raw, "use HH-HH with two different hours 00–23, e.g. 22-08 (Asia/Shanghai)")
    return start, end


SETTINGS: tuple[Setting, ...] = (
    Setting("WECHAT_TOKEN", "", "the token set in the official-account console", _token,
            shown_default="generated in development"),
    Setting("WECHAT_APPID", "", "the account's AppID (API calls; safe mode checks it)", _text),
    Setting("WECHAT_SECRET", "", "the account's AppSecret (API calls)", _text),
    Setting("WECHAT_AES_KEY", "", "EncodingAESKey, 43 characters (safe and compatibility mode)", _aes_key),
    Setting("WECHAT_AES_KEY_PREVIOUS", "", "the EncodingAESKey before the last rotation, tried second", _aes_key),
    Setting("WECHAT_API_BASE_URL", "https://api.weixin.qq.com",
            "the WeChat API; tests point it at a stand-in on loopback", _http_url,
            shown_default="the official API"),
    Setting("WECHAT_ACCOUNT_TYPE", "subscription",
            "`subscription` (1 mass send a day) or `service` (4 a month per user)",
            _choice("subscription", "service")),
    Setting("REDIS_URL", "", "`redis://`, `rediss://` or `unix://`; unset: the embedded Redis under `VAR_DIR`",
            _redis_url, shown_default="embedded"),
    Setting("REDIS_SENTINELS", "", "Sentinels as `host:port,host:port`, instead of `REDIS_URL`", _sentinels),
    Setting("REDIS_SENTINEL_MASTER", "", "the master's name at the Sentinels", _text),
    Setting("REDIS_PASSWORD", "", "the Redis password (Sentinel, or a URL without one)", _text),
    Setting("REDIS_KEY_PREFIX", "pufa:", "every key starts with it (a staging instance uses another)", _text),
    Setting("HOST", "127.0.0.1", "where `python app.py` and `gunicorn app:app` listen", _text),
    Setting("PORT", "8000", "the port `python app.py` and `gunicorn app:app` listen on", _port),
    Setting("ADMIN_TOKEN", "", "the admin web's password; unset: the admin web is off (404)", _text),
    Setting("SECRET_KEY", "", "signs admin sessions (shared by all hosts)", _text,
            shown_default="generated once, kept in Redis"),
    Setting("PSEUDONYM_KEY", "", "keys the hash that replaces openids in analytics", _text,
            shown_default="generated once, kept in Redis"),
    Setting("CONTENT_DIR", "content", "where the content YAML lives (a staging copy for previews)", _path),
    Setting("MENUS_DIR", "menus", "where the menu YAML lives", _path),
    Setting("PREVIEW_OPENIDS", "", "editors' openids for campaign previews, comma-separated", _list),
    Setting("CAMPAIGN_GRACE", "same-day",
            "how late a missed send may still go out: `same-day` (until quiet hours begin) or a number of hours; "
            "never after its campaign's own day, since WeChat counts the quota by the day a send goes out",
            _grace),
    Setting("QUIET_HOURS", "22-08", "no sends in these hours (`HH-HH`, Asia/Shanghai), catch-up included",
            _quiet_hours),
    Setting("RETENTION_DAYS", "180", "analytics retention, in days", _positive_int),
    Setting("VAR_DIR", "var", "the process's own files: embedded Redis, last good content, development token",
            _path),
)

_BY_FIELD: Mapping[str, Setting] = {s.attribute: s for s in SETTINGS}


def _value(setting: Setting, environ: Mapping[str, str], overrides: Mapping[str, Any]) -> Any:
    """The override (a string is parsed like the environment's value), else the environment's
    value, else the default."""
    raw = overrides.get(setting.attribute, environ.get(setting.name, setting.default))
    return setting.parse(setting.name, raw) if isinstance(raw, str) else raw


def read_setting(attribute: str) -> Any:
    """One setting from the process environment, parsed and checked like `load_settings` does,
    without its side effects (the development token): for `pufa check`."""
    return _value(_BY_FIELD[attribute], os.environ, {})


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from `environ` (default: the process environment), then `overrides` by field name.

    A string override is parsed like the environment's value; any other value is taken as given.
    """
    environ = os.environ if environ is None else environ
    unknown = set(overrides) - set(_BY_FIELD)
    if unknown:
        raise TypeError(f"load_settings() got unknown settings: {', '.join(sorted(unknown))}")
    values = {setting.attribute: _value(setting, environ, overrides) for setting in SETTINGS}
    if not values["wechat_token"]:
        values["wechat_token"] = _development_token(Path(values["var_dir"]))
        values["token_generated"] = True
    settings = Settings(**values)
    _check_together(settings)
    return settings


def _check_together(settings: Settings) -> None:
    """Rules that involve two settings."""
    if settings.wechat_aes_key and not settings.wechat_appid:
        raise SettingError("WECHAT_APPID", "", "set it: safe mode checks that each message is for this AppID")
    if settings.wechat_aes_key_previous and not settings.wechat_aes_key:
        raise SettingError("WECHAT_AES_KEY", "", "set the current key too; the previous one is only tried second")
    if settings.redis_sentinels and settings.redis_url:
        raise SettingError("REDIS_SENTINELS", ",".join(f"{h}:{p}" for h, p in settings.redis_sentinels),
                           "set either REDIS_URL or REDIS_SENTINELS, not both")
    if settings.redis_sentinels and not settings.redis_sentinel_master:
        raise SettingError("REDIS_SENTINEL_MASTER", "", "name the master the Sentinels watch, e.g. mymaster")


def _development_token(var_dir: Path) -> str:
    """A token kept in `var_dir/dev-token`, so the console's setting survives restarts.

    Workers starting together race to create it: each writes a candidate aside and links it into
    place, which only the first can do, then all read the one that won.
    """
    path = var_dir / "dev-token"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        candidate = var_dir / f".dev-token-{os.getpid()}-{secrets.token_hex(4)}"
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(16) + "\n")
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    token = path.read_text(encoding="utf-8").strip()
    log.warning("WECHAT_TOKEN is not set: using the development token %s (kept in %s); "
                "production needs WECHAT_TOKEN set to the token in the official-account console", token, path)
    return token


def settings_table() -> list[tuple[str, str, str]]:
    """(name, default as documented, help) for each setting, in declaration order."""
    return [(s.name, s.documented_default, s.help) for s in SETTINGS]

