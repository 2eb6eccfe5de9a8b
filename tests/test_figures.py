"""Figures read the same however an editor or a law writes them; what is not a figure is left alone."""
from __future__ import annotations

from decimal import Decimal

import pytest

from bot.figures import find_figures


def keys(text: str, **options) -> list[tuple[Decimal, str]]:
    return [f.key for f in find_figures(text, **options)]


def written(text: str, **options) -> list[str]:
    return [f.written for f in find_figures(text, **options)]


def test_chinese_and_arabic_numerals_and_days_read_the_same() -> None:
    assert keys("三十日") == keys("30日") == keys("30天") == [(Decimal(30), "日")]


def test_money_is_scaled_to_yuan() -> None:
    assert keys("三万元") == keys("3万元") == keys("30000元") == keys("30,000元") == [(Decimal(30000), "元")]


def test_a_year_is_twelve_months() -> None:
    assert keys("一年") == keys("12个月")


def test_full_and_plain_ages_are_the_same_unit() -> None:
    assert keys("十六周岁") == keys("16岁")


def test_multiples_are_percentages() -> None:
    assert keys("二倍") == keys("双倍") == keys("百分之二百") == keys("200%")
    assert keys("1.5倍") == keys("百分之一百五十")


def test_the_first_number_of_a_range_takes_the_range_unit() -> None:
    assert written("一般3至24个月，一万至三万元") == ["3个月", "24个月", "一万元", "三万元"]


def test_a_worked_example_is_left_out_to_the_end_of_its_sentence_on_request() -> None:
    text = "举例：干了3年，补3个月工资；未提前30日通知的，再加一个月。"
    assert written(text, examples=False) == ["30日", "一个月"]
    assert written(text) == ["3年", "3个月", "30日", "一个月"]


@pytest.mark.parametrize("text", [
    pytest.param("2021年1月1日起施行；宣传周是12月1日至7日；秋分在9月22日至24日之间", id="dates"),
    pytest.param("每月15日前发工资；每月1日至5日；每年4月15日", id="a day of every month is a date"),
    pytest.param("1. 拨打12348；2. 《刑法》第三条；第三年起", id="hotlines, ordinals and list numbers"),
    pytest.param("几百元；数万元；这一天；最后一天；一年期贷款市场报价利率；十周年", id="vague amounts, determiners, names"),
    pytest.param("三四天；七八万元；两三个月；十一二岁；二三十年", id="two adjacent digits are an approximate range"),
    pytest.param("五十年代；80年代；二十世纪八十年代初；五十至六十年代；三至五年期贷款", id="a decade is not a period"),
    pytest.param("上万元；千元左右；百元大钞", id="a bare ten thousand, thousand or hundred"),
])
def test_what_is_not_a_figure(text: str) -> None:
    assert written(text) == []


def test_a_numeral_before_ten_thousand_or_a_hundred_makes_an_amount() -> None:
    assert written("十万元；一百元") == ["十万元", "一百元"]
