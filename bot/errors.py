"""One exception base for the product, with narrow subclasses that carry their data in fields.

Boundaries (the webhook request, a scheduler job, a content reload, the CLI) catch `PufaError`
and report it; nothing else catches broadly.
"""
from __future__ import annotations


class PufaError(Exception):
    """Base of every error the product raises on purpose."""


class SettingError(PufaError):
    """A setting has a value the product cannot run with."""

    def __init__(self, name: str, value: str, fix: str) -> None:
        self.name, self.value, self.fix = name, value, fix
        super().__init__(f"setting {name}={value!r} is not valid — {fix}")


class ContentError(PufaError):
    """Content or menus that cannot be served; `findings` lists every problem."""

    def __init__(self, findings: list) -> None:
        self.findings = findings
        first = findings[0] if findings else "no findings"
        super().__init__(f"{len(findings)} content error(s); first: {first}")


class StoreUnavailable(PufaError):
    """Redis cannot be reached; callers degrade (no state) instead of failing."""


class WeChatAPIError(PufaError):
    """The WeChat API answered with an error code."""

    def __init__(self, errcode: int, errmsg: str, api: str = "") -> None:
        self.errcode, self.errmsg, self.api = errcode, errmsg, api
        super().__init__(f"WeChat API {api or '?'} failed: {errcode} {errmsg}")


class QuotaExhausted(WeChatAPIError):
    """45009: the daily quota of that API is spent; retrying today does not help."""


class AlreadySent(WeChatAPIError):
    """45065: the clientmsgid was used already, so the mass send did happen."""
