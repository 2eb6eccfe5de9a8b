"""The admin web: who gets in, what each page shows, and the simulator, on a real Redis."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from app import create_app
from bot import certificates
from bot.admin import auth, charts, views
from bot.admin.figures import Share, collect, half_year, previous_half_year
from bot.admin.attention import attention
from bot.check import load_and_check
from bot.clock import SHANGHAI
from bot.model import LAW_CHANGED, UNREADABLE, Finding
from bot.runtime import build_runtime
from bot.settings import load_settings
from tests.web import record_unanswered

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "content"
TOKEN = "editors-secret-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
PAGES = ("/admin/", "/admin/gaps", "/admin/gaps.csv", "/admin/content", "/admin/campaigns", "/admin/simulator",
         "/admin/certificate", "/admin/report", "/admin/report/daily.csv")
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)


def make_runtime(redis_url: str, tmp_path: Path, content: Path = FIXTURE, **overrides):
    settings = load_settings({}, redis_url=redis_url, wechat_token="token123", var_dir=tmp_path / "var",
                             content_dir=content / "content", menus_dir=content / "menus", **overrides)
    return build_runtime(settings)


def make_app(runtime):
    app = create_app(runtime=runtime)
    app.testing = True
    return app


@pytest.fixture
def runtime(redis_url, tmp_path):
    return make_runtime(redis_url, tmp_path, admin_token=TOKEN)


@pytest.fixture
def client(runtime):
    return make_app(runtime).test_client()


def csrf_of(html: bytes) -> str:
    return re.search(rb'name="csrf" value="([^"]+)"', html).group(1).decode()


def log_in(client) -> str:
    """Log in through the form; returns the session's CSRF token."""
    page = client.get("/admin/login")
    response = client.post("/admin/login", data={"token": TOKEN, "csrf": csrf_of(page.data), "next": "/admin/"})
    assert response.status_code == 302
    return csrf_of(client.get("/admin/certificate").data)


# -- who gets in -------------------------------------------------------------------------------

def test_everything_under_admin_is_404_without_admin_token(redis_url, tmp_path):
    client = make_app(make_runtime(redis_url, tmp_path)).test_client()
    for path in ("/admin/", "/admin/login", "/admin/static/admin.css", "/admin/simulator"):
        assert client.get(path, headers=BEARER).status_code == 404


def test_a_browser_without_a_session_is_sent_to_the_login_page(client):
    response = client.get("/admin/gaps", headers=HTML)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=/admin/gaps")


def test_a_script_without_a_token_gets_401(client):
    response = client.get("/admin/gaps", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_bearer_token_gets_401_even_from_a_browser(client):
    assert client.get("/admin/", headers={"Authorization": "Bearer nope", **HTML}).status_code == 401


@pytest.mark.parametrize("path", PAGES)
def test_the_bearer_token_opens_every_page(client, path):
    assert client.get(path, headers=BEARER).status_code == 200


def test_logging_in_with_the_token_opens_a_session(client):
    log_in(client)
    assert client.get("/admin/", headers=HTML).status_code == 200


def test_the_session_cookie_is_http_only_and_scoped_to_admin(client):
    page = client.get("/admin/login")
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Path=/admin" in cookie and "SameSite=Lax" in cookie


def test_a_wrong_password_is_refused(client):
    page = client.get("/admin/login")
    response = client.post("/admin/login", data={"token": "guess", "csrf": csrf_of(page.data)})
    assert response.status_code == 401
    assert "口令不正确" in response.get_data(as_text=True)
    assert client.get("/admin/", headers=HTML).status_code == 302


def test_repeated_wrong_passwords_lock_the_address_out(client):
    csrf = csrf_of(client.get("/admin/login").data)
    for _ in range(auth.MAX_FAILURES):
        client.post("/admin/login", data={"token": "guess", "csrf": csrf})
    response = client.post("/admin/login", data={"token": TOKEN, "csrf": csrf})
    assert response.status_code == 429


def test_the_login_form_needs_its_csrf_token(client):
    client.get("/admin/login")
    assert client.post("/admin/login", data={"token": TOKEN}).status_code == 400


def test_a_form_post_without_the_csrf_token_is_rejected(client):
    log_in(client)
    assert client.post("/admin/logout").status_code == 400
    assert client.get("/admin/", headers=HTML).status_code == 200


def test_logging_out_ends_the_session(client):
    csrf = log_in(client)
    assert client.post("/admin/logout", data={"csrf": csrf}).status_code == 302
    assert client.get("/admin/", headers=HTML).status_code == 302


def test_the_generated_secret_key_is_shared_by_all_hosts(runtime, redis_url, tmp_path):
    first = make_app(runtime).test_client()
    log_in(first)
    cookie = first.get_cookie("pufa_admin", path="/admin").value
    second = make_app(make_runtime(redis_url, tmp_path / "other", admin_token=TOKEN)).test_client()
    second.set_cookie("pufa_admin", cookie, path="/admin")
    assert second.get("/admin/", headers=HTML).status_code == 200


def test_changing_admin_token_ends_every_session(runtime, redis_url, tmp_path):
    first = make_app(runtime).test_client()
    log_in(first)
    cookie = first.get_cookie("pufa_admin", path="/admin").value
    rotated = make_app(make_runtime(redis_url, tmp_path / "other", admin_token="a-new-token")).test_client()
    rotated.set_cookie("pufa_admin", cookie, path="/admin")
    assert rotated.get("/admin/", headers=HTML).status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/admin", "/wechat", ""])
def test_login_only_returns_to_pages_inside_admin(client, target):
    with client.application.test_request_context():
        assert auth.safe_next(target) == "/admin/"


def test_admin_pages_forbid_framing_and_caching(client):
    response = client.get("/admin/", headers=BEARER)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


# -- dashboard and figures -----------------------------------------------------------------------

def seed(runtime, day: dt.date) -> None:
    counters = runtime.counters()
    counters.hit(day, "u1", "messages", "answered", "topic:labour", "audience:workers",
                 "quiz:answered:constitution:workers", "quiz:correct:constitution:workers")
    counters.hit(day, "u2", "messages", "answered", "topic:labour", "audience:public", "feedback:useful",
                 "feedback:useful:workers-no-contract", "quiz:answered:constitution:public")
    counters.hit(day + dt.timedelta(days=1), "u1", "messages", "feedback:useless",
                 "feedback:useless:workers-no-contract")


def test_collect_sums_days_and_rates(runtime):
    day = dt.date(2026, 3, 1)
    seed(runtime, day)
    fig = collect(runtime.counters(), runtime.content.snapshot().content, day, day + dt.timedelta(days=2))
    assert [d.messages for d in fig.days] == [2, 1, 0]
    assert fig.topics[0][0] == "labour" and fig.topics[0][2] == 2
    awareness = {share.key: (share.part, share.whole) for share in fig.awareness}
    assert awareness == {"public": (0, 1), "workers": (1, 1)}
    assert (fig.satisfaction.part, fig.satisfaction.whole) == (1, 2)


def test_a_user_is_counted_once_over_the_period(runtime):
    day = dt.date(2026, 3, 1)
    seed(runtime, day)
    fig = collect(runtime.counters(), None, day, day + dt.timedelta(days=1))
    assert sum(d.users for d in fig.days) == 3
    assert fig.distinct_users == 2


def test_the_dashboard_draws_its_charts_as_inline_svg(client, runtime):
    seed(runtime, dt.datetime.now(SHANGHAI).date())
    page = client.get("/admin/?days=7", headers=BEARER).get_data(as_text=True)
    assert page.count("<svg") == 5
    assert "<polyline" in page and 'class="bar"' in page
    assert "<script" not in page


def test_the_dashboard_links_the_half_year_report(client):
    page = client.get("/admin/", headers=BEARER).get_data(as_text=True)
    start, end = half_year(dt.datetime.now(SHANGHAI).date())
    assert f"/admin/report?from={start}&amp;to={end}" in page


@pytest.mark.parametrize("query", ["from=2026-13-01", "from=2026-03-02&to=2026-03-01", "from=2024-01-01&to=2026-01-01"])
def test_a_bad_period_is_a_400(client, query):
    assert client.get(f"/admin/?{query}", headers=BEARER).status_code == 400


@pytest.mark.parametrize("day, expected", [
    (dt.date(2026, 6, 15), (dt.date(2026, 1, 1), dt.date(2026, 6, 30))),
    (dt.date(2026, 12, 20), (dt.date(2026, 7, 1), dt.date(2026, 12, 31))),
])
def test_half_year_is_jan_to_jun_or_jul_to_dec(day, expected):
    assert half_year(day) == expected


def test_the_previous_half_year_of_january_is_last_july_to_december():
    assert previous_half_year(dt.date(2027, 1, 5)) == (dt.date(2026, 7, 1), dt.date(2026, 12, 31))


def test_chart_labels_are_escaped():
    svg = charts.bar_chart([("<script>alert(1)</script>", 3)], "t")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_a_chart_without_data_says_so():
    assert "暂无数据" in charts.rate_chart([Share("x", "x", 0, 0)], "t")


# -- unanswered questions -----------------------------------------------------------------------

def test_the_gaps_page_groups_similar_questions_with_counts(client, runtime):
    for text in ("包工头跑了怎么办", "包工头跑了怎么办", "包工头跑了咋办"):
        record_unanswered(runtime.store, text, NOW)
    page = client.get("/admin/gaps", headers=BEARER).get_data(as_text=True)
    assert re.search(r'<td class="num">3</td>\s*<td>包工头跑了怎么办</td>', page)
    assert "包工头跑了咋办 ×1" in page


def test_the_gaps_csv_opens_in_excel_and_defuses_formulas(client, runtime):
    record_unanswered(runtime.store, "=HYPERLINK(\"x\")怎么办", NOW)
    response = client.get("/admin/gaps.csv", headers=BEARER)
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert text.startswith("\ufeff组,问题,次数,组合计,最近提问\r\n")
    assert '1,"\'=HYPERLINK' in text


def test_the_gaps_csv_gives_each_wording_its_own_count_and_the_group_total(client, runtime):
    for text in ("包工头跑了怎么办", "包工头跑了怎么办", "包工头跑了咋办"):
        record_unanswered(runtime.store, text, NOW)
    rows = client.get("/admin/gaps.csv", headers=BEARER).get_data(as_text=True).splitlines()
    assert rows[1].startswith("1,包工头跑了怎么办,2,3,")
    assert rows[2] == "1,包工头跑了咋办,1,,"


# -- content -----------------------------------------------------------------------------------

def test_the_content_page_lists_items_with_citations_and_review_dates(client, runtime):
    item = next(iter(runtime.content.snapshot().content.items.values()))
    page = client.get("/admin/content", headers=BEARER).get_data(as_text=True)
    assert item.id in page and item.cites[0].ref in page and str(item.reviewed_on) in page


def test_the_content_page_shows_an_item_whose_law_changed(redis_url, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    runtime = make_runtime(redis_url, tmp_path, content=content, admin_token=TOKEN)
    pack = next((content / "content" / "packs").rglob("*.yaml"))
    text = pack.read_text(encoding="utf-8")
    fp = re.search(r'fp: "?([0-9a-f]{8})"?', text).group(1)
    pack.write_text(text.replace(fp, "00000000", 1), encoding="utf-8")
    page = make_app(runtime).test_client().get("/admin/content", headers=BEARER).get_data(as_text=True)
    assert "法条已修改，需重新审核（错误）" in page
    assert "changed since it was reviewed" in page


def test_the_content_page_lists_a_file_that_could_not_be_read_first():
    content = FIXTURE / "content"
    changed_law = Finding(str(content / "packs/public/constitution.yaml"), 5, "the text changed", "re-review",
                          kind=LAW_CHANGED)
    syntax = Finding(str(content / "packs/workers/labour.yaml"), 8, "YAML syntax: a tab", "replace it",
                     kind=UNREADABLE)
    listed = attention(None, [changed_law, syntax])
    assert [a.finding for a in listed] == [syntax, changed_law]
    assert listed[0].kind_label.startswith("文件无法读取")


def test_the_content_page_checks_the_disk_again_only_after_a_file_changed(redis_url, tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    client = make_app(make_runtime(redis_url, tmp_path, content=content, admin_token=TOKEN)).test_client()
    checks = []
    monkeypatch.setattr(views, "load_and_check", lambda *args: checks.append(args) or load_and_check(*args))
    client.get("/admin/content", headers=BEARER)
    client.get("/admin/content", headers=BEARER)
    assert len(checks) == 1
    pack = next((content / "content" / "packs").rglob("*.yaml"))
    text = pack.read_text(encoding="utf-8")
    fp = re.search(r'fp: "?([0-9a-f]{8})"?', text).group(1)
    pack.write_text(text.replace(fp, "00000000", 1) + "# edited\n", encoding="utf-8")
    page = client.get("/admin/content", headers=BEARER).get_data(as_text=True)
    assert len(checks) == 2 and "changed since it was reviewed" in page


# -- campaigns and certificates ---------------------------------------------------------------------

def test_the_campaign_page_shows_the_plan(redis_url, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    soon = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=3)
    (content / "content" / "campaigns.yaml").write_text(
        "campaigns:\n  - id: test_day\n    title: 测试宣传日\n    on: " + soon.strftime("%m-%d") +
        "\n    topics: [constitution]\n    text: 学习宪法，遵守宪法。\n", encoding="utf-8")
    runtime = make_runtime(redis_url, tmp_path, content=content, admin_token=TOKEN)
    page = make_app(runtime).test_client().get("/admin/campaigns", headers=BEARER).get_data(as_text=True)
    assert f"{soon} 09:00</td><td>测试宣传日" in page
    assert "计划中" in page


def test_the_certificate_page_tells_genuine_from_unknown(client, runtime):
    code = certificates.issue(runtime, "citizen", 2026, "constitution", dt.date(2026, 12, 7))
    assert "证书真实有效：2026年" in client.get(f"/admin/certificate?code={code}", headers=BEARER).get_data(as_text=True)
    assert "查无此证书" in client.get("/admin/certificate?code=AAAA-BBBB-CCCC", headers=BEARER).get_data(as_text=True)


# -- simulator ---------------------------------------------------------------------------------

def test_the_simulator_answers_with_a_cited_law(client):
    response = client.post("/admin/simulator/send", json={"text": "老板不跟我签合同"}, headers=BEARER)
    assert re.search(r"《[^》]+》第[一二三四五六七八九十百千零]+条", response.json["reply"])


def serving_last_good(redis_url, tmp_path):
    """A server restarted after an edit `pufa check` refuses: it serves the last good content."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    make_runtime(redis_url, tmp_path, content=content, admin_token=TOKEN)
    pack = content / "content" / "packs" / "workers" / "labour.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace('"6eb6864b"', '"00000000"'), encoding="utf-8")
    runtime = make_runtime(redis_url, tmp_path, content=content, admin_token=TOKEN)
    assert runtime.content.snapshot().from_last_good
    return runtime


def test_the_simulator_page_says_it_answers_from_the_last_good_content(redis_url, tmp_path):
    runtime = serving_last_good(redis_url, tmp_path)
    page = make_app(runtime).test_client().get("/admin/simulator", headers=BEARER).get_data(as_text=True)
    assert "磁盘上的内容未通过检查，模拟器的回答来自上一版内容：" in page and "changed since it was reviewed" in page


def test_the_simulator_reply_says_it_comes_from_the_last_good_content(redis_url, tmp_path):
    runtime = serving_last_good(redis_url, tmp_path)
    client = make_app(runtime).test_client()
    body = client.post("/admin/simulator/send", json={"text": "菜单"}, headers=BEARER).json
    assert body["last_good"] is True and "changed since it was reviewed" in body["content_error"]
    assert body["content_version"] == runtime.content.snapshot().version


def test_the_simulator_reply_says_when_it_serves_the_files_on_disk(client):
    body = client.post("/admin/simulator/send", json={"text": "菜单"}, headers=BEARER).json
    assert body["last_good"] is False and body["content_error"] == ""


def test_the_simulator_keeps_one_user_per_browser_session(client):
    csrf = log_in(client)
    headers = {"X-CSRF-Token": csrf}
    first = client.post("/admin/simulator/send", json={"text": "菜单"}, headers=headers).json["openid"]
    second = client.post("/admin/simulator/send", json={"text": "1"}, headers=headers).json["openid"]
    assert first == second and first.startswith("sim-")


def test_the_simulator_needs_the_csrf_token_from_a_browser(client):
    log_in(client)
    assert client.post("/admin/simulator/send", json={"text": "菜单"}).status_code == 400


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "x" * 601}, {"text": 3}, ["菜单"]])
def test_the_simulator_refuses_a_malformed_message(client, body):
    assert client.post("/admin/simulator/send", json=body, headers=BEARER).status_code == 400


def test_resetting_the_simulator_forgets_the_user(client, runtime):
    csrf = log_in(client)
    headers = {"X-CSRF-Token": csrf}
    old = client.post("/admin/simulator/send", json={"text": "菜单"}, headers=headers).json["openid"]
    new = client.post("/admin/simulator/reset", headers=headers).json["openid"]
    assert new != old
    assert not list(runtime.store.redis.scan_iter(runtime.store.key(f"u:{{{old}}}:*")))
