"""The conventions' chat table, end to end on a real runtime: real Redis, the fixture content."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from bot.messages import Inbound
from bot.pages import MORE_FOOTER
from bot.runtime import Runtime
from bot.session import SUGGEST, Conversation
from tests import chat

NOW = dt.datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def say(runtime: Runtime, text: str, openid: str = "user-a") -> str:
    return chat.say(runtime, text, NOW, openid)


def event(runtime: Runtime, name: str, key: str = "", openid: str = "user-a") -> str | None:
    return chat.event(runtime, name, NOW, key, openid)


def test_menu_shows_the_main_menu_in_the_conventions_format(runtime: Runtime) -> None:
    reply = say(runtime, "菜单")
    assert reply.splitlines()[0] == "普法助手 · 主菜单"
    assert "1. 我的专区" in reply and "0. 返回上级" not in reply
    assert reply.endswith(texts.MENU_HINT)


def test_help_and_question_mark_are_the_menu_too(runtime: Runtime) -> None:
    assert say(runtime, "帮助") == say(runtime, "？") == say(runtime, "菜单")


@pytest.mark.parametrize("typed", ["Menu", "MENU", "HELP", "Help", "菜单？", "菜单?", "帮助？"])
def test_the_menu_is_recognised_in_any_case_and_with_a_question_mark(runtime: Runtime, typed: str) -> None:
    assert say(runtime, typed).startswith("普法助手 · 主菜单")


def test_a_question_ending_in_a_question_mark_is_still_answered(runtime: Runtime) -> None:
    assert say(runtime, "老板不给我工资咋办？").startswith("【老板拖欠工资怎么办】")


def test_a_digit_opens_the_option_and_zero_goes_back(runtime: Runtime) -> None:
    say(runtime, "菜单")
    topic = say(runtime, "2")
    assert topic.startswith("宪法") and "0. 返回上级" in topic
    assert say(runtime, "0").startswith("普法助手 · 主菜单")


def test_an_invalid_choice_shows_the_menu_again_with_a_hint(runtime: Runtime) -> None:
    say(runtime, "菜单")
    reply = say(runtime, "8")
    assert reply.startswith(texts.NOT_UNDERSTOOD_DIGIT)
    assert "普法助手 · 主菜单" in reply


def test_an_item_chosen_from_a_menu_cites_its_law_and_keeps_the_menu(runtime: Runtime) -> None:
    say(runtime, "菜单")
    say(runtime, "2")
    reply = say(runtime, "1")
    assert "《关于设立国家宪法日的决定》" in reply
    assert say(runtime, "0").startswith("普法助手 · 主菜单")


def test_a_free_question_gets_the_curated_answer_with_its_citation(runtime: Runtime) -> None:
    reply = say(runtime, "老板不给我工资咋办")
    assert reply.startswith("【老板拖欠工资怎么办】")
    assert "《劳动合同法》第三十条" in reply
    assert reply.endswith(texts.FEEDBACK_PROMPT)


def test_a_question_from_a_user_never_seen_is_answered(runtime: Runtime) -> None:
    assert "《劳动合同法》第三十条" in say(runtime, "干完活老板拖着不结工钱", openid="stranger")


def test_detail_gives_the_case_behind_the_last_answer(runtime: Runtime) -> None:
    say(runtime, "没签劳动合同能要双倍工资吗")
    assert "【以案释法】" in say(runtime, "详解")


def test_article_lookup_answers_the_exact_text(runtime: Runtime) -> None:
    reply = say(runtime, "宪法第三十五条")
    assert reply.startswith("《宪法》第三十五条")
    assert "中华人民共和国公民有言论、出版、集会、结社、游行、示威的自由。" in reply


def test_an_article_lookup_in_full_width_digits_answers_the_article(runtime: Runtime) -> None:
    assert say(runtime, "宪法第３５条").startswith("《宪法》第三十五条\n")


def test_chitchat_never_gets_a_law(runtime: Runtime) -> None:
    reply = say(runtime, "今天天气怎么样")
    assert "《" not in reply


def test_an_unknown_question_gets_the_honest_fallback_with_12348(runtime: Runtime) -> None:
    reply = say(runtime, "我家的猫把邻居的鱼缸打碎了要赔多少")
    assert "12348" in reply and "《" not in reply


def test_someone_in_danger_reads_110_first(runtime: Runtime) -> None:
    reply = say(runtime, "他正在打我怎么办")
    assert reply.splitlines()[0] == texts.DANGER_FIRST_LINE


def test_more_gives_the_next_page_of_a_long_reply(runtime: Runtime) -> None:
    first = say(runtime, "宪法第六十二条到第六十四条")
    assert first.endswith(MORE_FOOTER)
    second = say(runtime, "更多")
    assert second and second != first
    assert not first.removesuffix(MORE_FOOTER).strip().endswith(second[:20])


def test_more_without_pages_says_so(runtime: Runtime) -> None:
    assert say(runtime, "更多") == texts.NO_MORE_PAGES


def test_choosing_an_audience_shapes_my_area(runtime: Runtime) -> None:
    reply = say(runtime, "身份")
    assert "5. 进城务工人员" in reply
    assert say(runtime, "5") == texts.audience_set("进城务工人员")
    say(runtime, "菜单")
    assert say(runtime, "1").startswith("进城务工人员")


def test_a_digit_after_suggestions_opens_that_suggestion(runtime: Runtime) -> None:
    suggested = Conversation(context=SUGGEST, suggestions=("public-constitution-day", "workers-no-contract"))
    runtime.dispatcher.sessions.save_conversation("user-a", suggested, runtime.store.redis)
    assert say(runtime, "2").startswith("【没签劳动合同能要双倍工资吗】")


def test_a_digit_outside_the_suggestions_lists_them_again(runtime: Runtime) -> None:
    suggested = Conversation(context=SUGGEST, suggestions=("public-constitution-day",))
    runtime.dispatcher.sessions.save_conversation("user-a", suggested, runtime.store.redis)
    reply = say(runtime, "3")
    assert reply.startswith(texts.NOT_UNDERSTOOD_DIGIT) and "1. 国家宪法日是哪一天" in reply


def test_quiz_asks_lettered_questions_and_judges_with_the_article(runtime: Runtime) -> None:
    question = say(runtime, "答题")
    assert "A. 平等" in question and "第1/5题" in question
    judged = say(runtime, "a")
    assert judged.startswith("答对了！") and "《宪法》第三十三条" in judged
    assert "第2/5题" in judged


def test_a_quiz_round_ends_with_the_score(runtime: Runtime) -> None:
    say(runtime, "答题")
    for answer in ("A", "B", "1", "A"):
        say(runtime, answer)
    final = say(runtime, "A")
    assert "本轮结束，您答对了4/5题。" in final
    assert "已连续答题1天。" in final


def test_subscribing_listing_and_unsubscribing_a_topic(runtime: Runtime) -> None:
    assert say(runtime, "订阅 宪法").startswith("已订阅「宪法」")
    assert say(runtime, "我的订阅").startswith("您订阅了：宪法")
    assert say(runtime, "退订 宪法") == "已退订「宪法」。"
    assert say(runtime, "订阅").startswith("可订阅的专题：")


def test_a_question_starting_with_tuiding_is_not_a_command(runtime: Runtime) -> None:
    assert not say(runtime, "退订了还扣费吗").startswith("已退订")


@pytest.mark.parametrize("question", ["订阅了健身课不能退费，违反合同吗", "订阅号的文章侵权了怎么办",
                                      "退订会员还扣费吗，消费者怎么维权"])
def test_a_question_naming_a_topic_word_after_the_verb_is_not_a_command(runtime: Runtime, question: str) -> None:
    assert not say(runtime, question).startswith(("已订阅", "已退订"))
    assert say(runtime, "我的订阅").startswith("您还没有订阅任何专题。")


def test_subscribing_to_two_topics_at_once_subscribes_to_both(runtime: Runtime) -> None:
    assert say(runtime, "订阅 宪法 民法典") == "已订阅「宪法」、「民法典」。有新内容时会推送给您；回复「退订 专题名」可随时退订。"
    assert say(runtime, "我的订阅") == "您订阅了：民法典、宪法。回复「退订 专题名」可退订。"
    assert say(runtime, "退订 宪法 民法典") == "已退订「宪法」、「民法典」。"


def test_a_topic_may_be_followed_by_zhuanti(runtime: Runtime) -> None:
    assert say(runtime, "订阅宪法专题").startswith("已订阅「宪法」。")


def test_a_simulator_user_choosing_an_audience_queues_no_tag_change(runtime: Runtime) -> None:
    from scheduler import tags

    say(runtime, "身份", openid="sim-editor")
    assert say(runtime, "5", openid="sim-editor") == texts.audience_set("进城务工人员")
    assert tags.queued(runtime.store) == []


def test_deleting_my_data_needs_confirmation_and_removes_every_key(runtime: Runtime) -> None:
    say(runtime, "订阅 宪法")
    say(runtime, "身份")
    say(runtime, "5")
    assert say(runtime, "删除我的数据") == texts.DELETE_ASK
    assert say(runtime, "确认删除") == texts.DELETE_DONE
    store = runtime.store
    assert list(store.redis.scan_iter(match=store.key("u:{user-a}:*"))) == []
    assert not any(b"user-a" in key or b"user-a" in b"".join(store.redis.smembers(key))
                   for key in store.redis.scan_iter(match=store.key("sub", "*")) if store.redis.type(key) == b"set")


def test_confirm_without_a_request_deletes_nothing(runtime: Runtime) -> None:
    assert say(runtime, "确认删除") == texts.DELETE_NOTHING


def test_a_confirmation_after_ten_minutes_deletes_nothing(runtime: Runtime) -> None:
    say(runtime, "删除我的数据")
    late = chat.say(runtime, "确认删除", NOW + dt.timedelta(minutes=11))
    assert late == texts.DELETE_NOTHING


def test_a_follow_gets_the_welcome_with_menu_and_privacy_notice(runtime: Runtime) -> None:
    reply = event(runtime, "subscribe")
    assert reply is not None
    assert "回复「身份」" in reply and texts.PRIVACY_NOTICE in reply and "1. 我的专区" in reply


def test_unfollow_deletes_the_users_state(runtime: Runtime) -> None:
    say(runtime, "身份")
    assert event(runtime, "unsubscribe") is None
    assert list(runtime.store.redis.scan_iter(match=runtime.store.key("u:{user-a}:*"))) == []


def test_a_bottom_bar_click_opens_its_node(runtime: Runtime) -> None:
    assert event(runtime, "CLICK", "node:main").startswith("普法助手 · 主菜单")
    assert "A. " in event(runtime, "CLICK", "command:答题")


@pytest.mark.parametrize("name, key", [("subscribe", ""), ("CLICK", "node:main"), ("text", "")])
def test_a_turn_reads_and_writes_on_the_threads_own_connection_without_a_pool_checkout(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch, name: str, key: str) -> None:
    event(runtime, "subscribe")  # the first turn reads the pseudonym key, on a pooled connection
    pool = runtime.store.redis.connection_pool
    checkouts = []
    get_connection = pool.get_connection
    monkeypatch.setattr(pool, "get_connection", lambda *args, **kwargs: checkouts.append(1) or get_connection())
    own = runtime.store.connections.connection()
    sent = []
    send = own.send_packed_command
    monkeypatch.setattr(own, "send_packed_command", lambda *args, **kwargs: sent.append(1) or send(*args, **kwargs))
    if name == "text":
        say(runtime, "菜单")
    else:
        event(runtime, name, key)
    assert not checkouts and len(sent) == 2  # the session read, then the writes


def test_a_view_click_and_unknown_events_get_no_reply(runtime: Runtime) -> None:
    assert event(runtime, "VIEW", "https://example.org") is None
    assert event(runtime, "SOMETHING_NEW") is None


def test_media_get_a_short_guide(runtime: Runtime) -> None:
    reply = runtime.dispatcher.handle(Inbound("user-a", "image", msg_id="img-1"), NOW)
    assert reply.text == texts.MEDIA_GUIDE


def test_voice_with_recognition_is_answered_like_text(runtime: Runtime) -> None:
    inbound = Inbound("user-a", "voice", text="老板不给工资怎么办", msg_id="v-1")
    assert "《劳动合同法》第三十条" in runtime.dispatcher.handle(inbound, NOW).text


def test_answers_survive_a_dead_redis(runtime: Runtime, redis_server) -> None:
    redis_server.stop()
    try:
        assert "《劳动合同法》第三十条" in say(runtime, "老板不给工资怎么办")
        assert say(runtime, "菜单").startswith("普法助手 · 主菜单")
    finally:
        redis_server.start()


def test_a_pending_subscription_notice_rides_on_the_next_reply_once(runtime: Runtime) -> None:
    from bot import subscriptions

    subscriptions.queue_notice(runtime.store, "user-a", "您订阅的「宪法」有新内容：【国家宪法日】")
    assert say(runtime, "菜单").endswith("您订阅的「宪法」有新内容：【国家宪法日】")
    assert "有新内容" not in say(runtime, "菜单")
