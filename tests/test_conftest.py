"""The suite's own Redis: it never uses a server another test run started."""
from __future__ import annotations

from pathlib import Path

import redis

from tests.conftest import RedisServer


def test_a_server_whose_port_another_run_took_moves_to_a_free_one(redis_server: RedisServer, tmp_path: Path) -> None:
    second = RedisServer(tmp_path)
    second.port = redis_server.port  # taken between free_port() and the server's bind
    second.start(tries=3)
    try:
        assert second.port != redis_server.port
        assert redis.Redis.from_url(second.url).info("server")["process_id"] == second.process.pid
    finally:
        second.stop()
