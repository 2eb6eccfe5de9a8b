"""Deployment: the gunicorn configuration loads, the docs and deploy/ examples cover what the code
needs, and nothing per-process breaks with N workers or N hosts sharing one Redis."""
from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
import redis
from gunicorn.config import Config

from app import create_app
from bot.runtime import build_runtime
from bot.settings import SETTINGS
from tests import wechat_sign as ws
from tests.chat import make_tree
from tests.web import WebBot, make_settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
DEPLOY = ROOT / "deploy"


def gunicorn_config(monkeypatch: pytest.MonkeyPatch, **environ: str) -> Config:
    """gunicorn.conf.py as gunicorn reads it: every name it knows set on a Config."""
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    config = Config()
    for name, value in runpy.run_path(str(ROOT / "gunicorn.conf.py")).items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_the_gunicorn_config_loads_with_two_sync_workers_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WEB_CONCURRENCY", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    config = gunicorn_config(monkeypatch)
    assert config.workers == 2 and config.worker_class_str == "sync"
    assert config.bind == ["127.0.0.1:8000"]
    assert config.timeout >= 5, "a worker must outlive WeChat's 5 s"
    assert callable(config.post_worker_init)


def test_the_gunicorn_config_takes_workers_and_address_from_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    config = gunicorn_config(monkeypatch, WEB_CONCURRENCY="4", HOST="0.0.0.0", PORT="8080")
    assert config.workers == 4 and config.bind == ["0.0.0.0:8080"]


def test_gunicorn_keeps_no_access_log_that_would_carry_the_openid(monkeypatch: pytest.MonkeyPatch) -> None:
    """WeChat puts `openid=` in the callback's query string; gunicorn's access log would keep it."""
    assert gunicorn_config(monkeypatch).accesslog is None


def test_the_deployment_docs_name_every_setting() -> None:
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in DOCS]
    assert missing == []
    assert "`WEB_CONCURRENCY`" in DOCS


@pytest.mark.parametrize("topic", ["443", "IP白名单", "Sentinel", "backup", "python -m scheduler", "git pull",
                                   "/healthz", "gunicorn", "40164"])
def test_the_deployment_docs_cover(topic: str) -> None:
    assert topic in DOCS


def test_the_example_env_file_sets_only_known_settings() -> None:
    known = {s.name for s in SETTINGS} | {"WEB_CONCURRENCY"}
    names = re.findall(r"^#?\s*([A-Z_]+)=", (DEPLOY / "pufa.env.example").read_text(encoding="utf-8"), re.M)
    assert names and set(names) <= known, set(names) - known


def test_the_nginx_example_serves_https_on_443_and_logs_no_query() -> None:
    conf = (DEPLOY / "nginx-pufa.conf").read_text(encoding="utf-8")
    assert re.search(r"listen 443 ssl;", conf) and "proxy_pass http://pufa_web" in conf
    formats = re.findall(r"log_format\s+\w+\s+((?:'[^']*'\s*)+);", conf)
    assert formats and not any(v in f for f in formats for v in ("$request ", "$request\"", "$args",
                                                                   "$query_string", "$request_uri"))
    assert all("pufa_noquery" in line for line in conf.splitlines()
               if line.strip().startswith("access_log") and "off" not in line)
    assert "proxy_read_timeout 5s" in conf


def test_the_nginx_example_keeps_request_lines_out_of_the_webhooks_error_log() -> None:
    """nginx's error lines quote the request line, query and openid included."""
    conf = (DEPLOY / "nginx-pufa.conf").read_text(encoding="utf-8")
    webhook = conf.split("location = /wechat {", 1)[1].split("}", 1)[0]
    assert re.search(r"error_log\s+\S+\s+crit;", webhook)


@pytest.mark.parametrize("unit, command", [("pufa-web.service", "gunicorn -c /srv/pufa/app/gunicorn.conf.py app:app"),
                                           ("pufa-scheduler.service", "python -m scheduler")])
def test_the_systemd_units_run_the_documented_commands(unit: str, command: str) -> None:
    text = (DEPLOY / unit).read_text(encoding="utf-8")
    assert command in text and "EnvironmentFile=/etc/pufa/pufa.env" in text and "Restart=always" in text


# -- N hosts on one Redis -------------------------------------------------------------------

@pytest.fixture
def hosts(redis_url: str, tmp_path: Path) -> tuple[WebBot, WebBot]:
    """Two hosts: each its own content checkout, var/ and process state; one Redis."""
    bots = []
    for name in ("a", "b"):
        tree = make_tree(tmp_path / f"host-{name}")
        settings = make_settings(tree, tmp_path / f"var-{name}", redis_url)
        bots.append(WebBot(create_app(runtime=build_runtime(settings))))
    return bots[0], bots[1]


def test_a_conversation_hopping_between_hosts_keeps_its_place(hosts: tuple[WebBot, WebBot]) -> None:
    a, b = hosts
    assert a.say("oHopper", "菜单").splitlines()[0] == "普法助手 · 主菜单"
    assert b.say("oHopper", "2").splitlines()[0] == "宪法"
    assert "第1/5题" in a.say("oHopper", "答题")
    assert "第2/5题" in b.say("oHopper", "A")
    b.say("oHopper", "身份")
    assert a.say("oHopper", "2").startswith("好的，已为您设置身份：青少年。")
    assert b.runtime.dispatcher.sessions.load("oHopper").audience == "youth"


def test_a_retry_landing_on_another_host_gets_the_same_answer_once(hosts: tuple[WebBot, WebBot],
                                                                   redis_url: str) -> None:
    a, b = hosts
    a.say("oRetry", "身份")
    xml = ws.text_xml("oRetry", "2")
    first, retry = a.post(xml), b.post(xml)
    assert first == retry and first[0] == 200
    queue = redis.Redis.from_url(redis_url).lrange("pufa:tags:queue", 0, -1)
    assert len(queue) == 1, "the retry changed the audience a second time"


def test_hosts_share_the_generated_keys_through_redis(hosts: tuple[WebBot, WebBot]) -> None:
    a, b = hosts
    assert a.runtime.counters().key == b.runtime.counters().key
