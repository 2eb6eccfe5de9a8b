"""The editors' and agencies' web at /admin: dashboard, unanswered questions, content, campaigns,
simulator, certificates and the 普法责任制 report.

`register(app, runtime)` attaches it; everything under /admin answers 404 while ADMIN_TOKEN is
unset, so a deployment that never configured it exposes nothing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Flask, Response, g, render_template

from bot.errors import StoreUnavailable

if TYPE_CHECKING:
    from bot.runtime import Runtime

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static")

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@bp.before_request
def _guard() -> Response | None:
    from bot.admin import auth

    return auth.guard()


@bp.after_request
def _finish(response: Response) -> Response:
    from bot.admin import auth

    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return auth.save_session(response)


@bp.context_processor
def _csrf() -> dict[str, str]:
    """Every form posts the session's CSRF token."""
    session = g.get("admin_session") or {}
    return {"csrf": session.get("csrf", "")}


@bp.errorhandler(StoreUnavailable)
def _store_down(exc: StoreUnavailable) -> tuple[str, int]:
    """The admin web needs Redis for everything it shows; say so instead of a 500."""
    return render_template("error.html", message=f"数据存储暂时不可用，请稍后再试。（{exc}）"), 503


def register(app: Flask, runtime: "Runtime") -> None:
    """Attach the runtime (shared with the webhook) and the /admin blueprint to `app`."""
    app.extensions.setdefault("pufa", runtime)
    app.register_blueprint(bp)


from bot.admin import simulator, views  # noqa: E402,F401  (the views attach themselves to `bp`)
