"""The fixed texts: what they promise citizens must match what the code keeps."""
from __future__ import annotations

import re

from bot import dedup, quiz, session, subscriptions, texts


def test_the_privacy_notice_never_understates_how_long_short_term_records_stay() -> None:
    days = int(re.search(r"短期记录最多(\d+)天", texts.PRIVACY_NOTICE).group(1))
    short_term = (subscriptions.MESSAGE_WINDOW_S, subscriptions.NOTICE_MARK_TTL_S, quiz.STATE_TTL,
                  dedup.TTL_SECONDS)
    assert max(short_term) <= days * 86400


def test_the_privacy_notice_states_the_conversation_and_notice_retention() -> None:
    assert session.CONVERSATION_TTL == 24 * 3600 and "对话位置24小时" in texts.PRIVACY_NOTICE
    assert subscriptions.PENDING_TTL_S == 30 * 86400 and "未读提醒30天" in texts.PRIVACY_NOTICE
