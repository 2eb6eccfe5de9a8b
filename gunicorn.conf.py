"""gunicorn settings for `gunicorn app:app` (read automatically from the working folder).

Sync workers are enough: a reply costs about a millisecond of CPU and the webhook bounds each
one to 4.5 s. The app is built in each worker as it starts (not in the master, so no Redis
connection or thread crosses a fork), and before the worker takes its first request.
"""
from __future__ import annotations

import logging
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"  # `-b` on the command line wins
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = 30


def post_worker_init(worker) -> None:
    """The product's own log lines (which store, content refused, outages) join gunicorn's on stderr."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s")
    worker.wsgi.load()
