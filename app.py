"""The web process: `create_app()` for tests and tools, `app` for `gunicorn app:app`, `python app.py` for development.

`app` builds the real application on first use rather than at import, so importing this module
(tests, tools) starts no Redis and loads no content; gunicorn.conf.py builds it as each worker
starts, so the first citizen does not wait for it.
"""
from __future__ import annotations

import logging
import sys
import threading
from typing import TYPE_CHECKING, Callable, Iterable

from flask import Flask

from bot.errors import PufaError
from bot.settings import Settings, load_settings

if TYPE_CHECKING:
    from bot.runtime import Runtime


def create_app(settings: Settings | None = None, runtime: "Runtime | None" = None) -> Flask:
    """The Flask app around `runtime` (built from `settings`, or the environment, when not given)."""
    from bot import admin, webhook

    if runtime is None:
        from bot.runtime import build_runtime

        runtime = build_runtime(settings or load_settings())
    app = Flask(__name__)
    webhook.register(app, runtime)
    admin.register(app, runtime)
    return app


class LazyApp:
    """A WSGI app that builds the real one (under a lock) on its first call or on `load()`."""

    def __init__(self, factory: Callable[[], Flask]) -> None:
        self._factory = factory
        self._app: Flask | None = None
        self._lock = threading.Lock()

    def load(self) -> Flask:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    self._app = self._factory()
        return self._app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        return self.load()(environ, start_response)


app = LazyApp(create_app)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
        flask_app = create_app(settings)
    except PufaError as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        return 1
    print(f"普法助手 listening on http://{settings.host}:{settings.port}/wechat")
    if settings.token_generated:
        print(f"development token: {settings.wechat_token} — set WECHAT_TOKEN in production")
    flask_app.run(host=settings.host, port=settings.port, threaded=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
