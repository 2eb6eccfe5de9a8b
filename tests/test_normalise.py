"""Normalisation makes spelling differences vanish; masking hides personal numbers."""
from __future__ import annotations

import sys
import unicodedata
from collections import Counter

from bot import normalise
from bot.normalise import TRAD_TO_SIMP, Normaliser, basic_normalise, chinese_to_int, grams, mask_personal


def test_full_width_case_punctuation_and_spaces_vanish() -> None:
    assert basic_normalise("ＡＰＰ 乱收集，个人信息！！") == "app乱收集个人信息"


def test_every_letter_and_number_of_any_script_is_kept_and_nothing_else() -> None:
    """The pattern basic_normalise drops by, checked against Unicode's categories code point by code point."""
    dropped = normalise._NOT_LETTER_OR_NUMBER
    assert [hex(code) for code in range(sys.maxunicode + 1)
            if (dropped.sub("", chr(code)) == "") == (unicodedata.category(chr(code))[0] in "LN")] == []


def test_traditional_characters_become_simplified() -> None:
    assert basic_normalise("老闆拖欠工資怎麼辦") == "老板拖欠工资怎么办"
    assert basic_normalise("離婚財產") == "离婚财产"


def test_the_traditional_table_never_maps_a_character_to_itself() -> None:
    assert all(len(t) == len(s) == 1 and t != s for t, s in TRAD_TO_SIMP.items())


def test_counted_chinese_numerals_become_digits() -> None:
    assert basic_normalise("十八岁") == basic_normalise("18岁") == "18岁"
    assert basic_normalise("两年零三个月") == "2年3个月"


def test_numerals_inside_words_are_kept() -> None:
    assert basic_normalise("一起去万一十分") == "一起去万一十分"


def test_chinese_numerals_read_as_numbers() -> None:
    assert [chinese_to_int(n) for n in ("十", "十八", "二十五", "一百零八", "三六")] == [10, 18, 25, 108, 36]


def test_emoji_alone_normalises_to_nothing() -> None:
    assert basic_normalise("😀👍 ") == ""


def test_synonyms_apply_longest_match_first() -> None:
    normaliser = Normaliser.build({"咋": "怎么", "咋办": "怎么办", "工钱": "工资"})
    assert normaliser("工钱咋办") == "工资怎么办"
    assert normaliser("咋回事") == "怎么回事"


def test_a_replacement_is_not_rewritten_again() -> None:
    assert Normaliser.build({"甲": "乙", "乙": "丙"})("甲") == "乙"


def test_mobile_landline_id_bank_card_and_email_are_masked() -> None:
    text = "电话13812345678 座机010-12345678 身份证11010119900307123X 卡号6222 0212 3456 7890 邮箱a.b@qq.com"
    assert mask_personal(text) == "电话[手机号] 座机[电话] 身份证[身份证号] 卡号[银行卡号] 邮箱[邮箱]"


def test_full_width_digits_are_masked_too() -> None:
    assert mask_personal("１３８１２３４５６７８") == "[手机号]"


def test_an_email_typed_in_full_width_is_masked_and_chinese_punctuation_stays() -> None:
    assert mask_personal("我的邮箱ｗａｎｇ＿ｌｉ＠ｑｑ．ｃｏｍ，谢谢！") == "我的邮箱[邮箱]，谢谢！"


def test_short_numbers_in_questions_stay() -> None:
    assert mask_personal("干了3个月欠我8000元，打12348") == "干了3个月欠我8000元，打12348"


def test_grams_are_the_characters_and_overlapping_pairs() -> None:
    assert grams("离婚离") == Counter({"离": 2, "婚": 1, "离婚": 1, "婚离": 1})


def test_grams_given_a_count_add_to_it() -> None:
    counted = grams("离婚")
    assert grams("婚后", counted) is counted
    assert counted == Counter({"离": 1, "婚": 2, "后": 1, "离婚": 1, "婚后": 1})
