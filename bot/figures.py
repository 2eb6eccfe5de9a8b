"""Figures in Chinese legal text: 三万元, 30日, 十六周岁, 百分之三十, 双倍 → comparable values.

An answer may write 30日 where the law writes 三十日, 3万元 where it writes 三万元, 2倍 where it writes
百分之二百; the figures rule (`bot.checkfigures`) compares what they mean, so both sides are read here
the same way. Only a number with a unit is a figure: hotlines (12348), list numbers and 第三条 have
none, and dates (2021年1月1日, 12月1日至7日) are masked before reading.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from bot.normalise import chinese_to_int

# written unit → (the unit compared, the factor to it). A year is twelve months and a week seven days,
# so 一年 backs 12个月; a day is not a month (30日 and 一个月 differ in law); 2倍 is 百分之二百.
UNITS: dict[str, tuple[str, int]] = {
    "周岁": ("岁", 1), "岁": ("岁", 1),
    "个工作日": ("工作日", 1), "工作日": ("工作日", 1),
    "个小时": ("小时", 1), "小时": ("小时", 1),
    "个月": ("月", 1), "年": ("月", 12),
    "日": ("日", 1), "天": ("日", 1), "周": ("日", 7),
    "倍": ("%", 100), "%": ("%", 1), "％": ("%", 1),
    "亿元": ("元", 100_000_000), "万元": ("元", 10_000), "千元": ("元", 1000), "元": ("元", 1), "块钱": ("元", 1),
}
_UNIT = "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))
_CHINESE = "[零〇一二两三四五六七八九十百千万]+"
_NUMBER = rf"\d+(?:,\d{{3}})*(?:\.\d+)?|{_CHINESE}"
_TO = "至|到|～|~|-|–|—|－"
_STARTS = "(?=[0-9零〇一二两三四五六七八九十百千万双])"  # passes other characters fast: the check runs on every reload
FIGURE = re.compile(
    rf"{_STARTS}(?:百分之(?P<percent>{_NUMBER})|(?P<double>双倍)"
    rf"|(?P<number>{_NUMBER})(?P<unit>{_UNIT})?(?(unit)|(?=(?:{_TO})(?:{_NUMBER})(?P<range>{_UNIT}))))"
)
_DAY = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
# 2021年, 12月4日, 12月1日至7日, and a day of every month: 每月15日 (每年4月15日 is a month-day).
DATE = re.compile(rf"{_STARTS}(?:(?:\d{{4}}|[零〇一二三四五六七八九]{{4}})年"
                  rf"|(?:{_DAY}月|(?<=每月)){_DAY}[日号](?:(?:{_TO}){_DAY}[日号])?)")
# 举例：干了3年… — a worked example's figures are its own, to the end of its sentence.
EXAMPLE = re.compile(r"(?:举例|例如|比如)[^。；;\n]*")
_NOT_BEFORE = "第几数"  # 第三年 is an ordinal; 几百元 and 数万元 are not figures
_DETERMINERS = "这那同前后某哪当"  # 这一天, 前一天, 同一年: one day, not a period of one
# 一年期贷款市场报价利率, 五十年代 and 十周年 name things, they set no period
_NOT_AFTER = {"年": "期代", "周": "年"}
_BARE = "万千百"  # 上万元, 千元左右: no numeral counts them
_APPROXIMATE = re.compile("[一二两三四五六七八九]{2}")  # 三四天, 七八万元, 十一二岁: about, not a figure
_FULL_WIDTH = re.compile("[０-９．]")
_HALF_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")  # one character for one: offsets hold


@dataclass(frozen=True)
class Figure:
    """One figure: `written` as in the text (a range's first number with the range's unit), and its
    `value` in `unit` (元, 日, 工作日, 月, 岁, 小时, %)."""

    written: str
    value: Decimal
    unit: str
    start: int

    @property
    def key(self) -> tuple[Decimal, str]:
        return (self.value, self.unit)


def _value(numeral: str) -> Decimal | None:
    if numeral[0].isdigit():
        return Decimal(numeral.replace(",", ""))
    value = chinese_to_int(numeral)
    return None if value is None else Decimal(value)


def _masked(text: str, pattern: re.Pattern[str]) -> str:
    """`text` with each match blanked out, character for character, so offsets still hold."""
    return pattern.sub(lambda m: " " * len(m.group()), text)


def _figure(text: str, match: re.Match[str]) -> Figure | None:
    if match["double"]:
        return Figure(match.group(), Decimal(200), "%", match.start())
    numeral = match["percent"] or match["number"]
    unit = "%" if match["percent"] else match["unit"] or match["range"]
    if not unit or not _counts(text, match, numeral, unit):
        return None
    value = _value(numeral)
    if value is None:
        return None
    compared, factor = UNITS[unit]
    written = match.group() if match["unit"] or match["percent"] else f"{numeral}{unit}"
    return Figure(written, (value * factor).normalize(), compared, match.start())


def _counts(text: str, match: re.Match[str], numeral: str, unit: str) -> bool:
    """Whether the number with its unit states an amount, a period or a share where it stands."""
    end = match.end("range") if match["range"] else match.end()  # a range's unit is the second number's
    before, after = text[match.start() - 1:match.start()], text[end:end + 1]
    if before and (before in _NOT_BEFORE or numeral == "一" and before in _DETERMINERS):
        return False
    if after and after in _NOT_AFTER.get(unit, ""):
        return False
    return numeral[0] not in _BARE and not _APPROXIMATE.search(numeral)


def find_figures(text: str, *, examples: bool = True) -> list[Figure]:
    """Every figure in `text`, in order; a range's first number takes the second's unit (3至24个月).
    With `examples=False` the figures of a worked example (举例：…) are left out."""
    if _FULL_WIDTH.search(text):  # translating every text would take most of the check's time
        text = text.translate(_HALF_WIDTH)
    text = _masked(text, DATE)
    if not examples:
        text = _masked(text, EXAMPLE)
    return [figure for match in FIGURE.finditer(text) if (figure := _figure(text, match))]
