"""Pagination keeps every reply within WeChat's 2048-byte text limit."""
from __future__ import annotations

from bot.pages import MAX_BYTES, MORE_FOOTER, paginate, size


def test_a_short_reply_is_one_page_without_footer() -> None:
    assert paginate("您好") == ["您好"]


def test_every_page_of_a_long_reply_fits_the_limit_and_all_but_the_last_say_more() -> None:
    text = "\n".join(f"第{n}步：带上劳动合同、工资条和考勤记录，到劳动保障监察大队投诉。" for n in range(80))
    pages = paginate(text)
    assert len(pages) > 2
    assert all(size(page) <= MAX_BYTES for page in pages)
    assert all(page.endswith(MORE_FOOTER) for page in pages[:-1])
    assert not pages[-1].endswith(MORE_FOOTER)


def test_pages_lose_nothing_of_the_text() -> None:
    text = "\n".join(f"第{n}行：用人单位应当按时足额支付劳动报酬。" for n in range(100))
    joined = "".join(page.removesuffix(MORE_FOOTER) for page in paginate(text))
    assert "".join(joined.split()) == "".join(text.split())


def test_a_line_without_breaks_is_cut_at_a_sentence_end() -> None:
    text = "。".join("用人单位应当依法缴纳社会保险费" for _ in range(120))
    first = paginate(text)[0].removesuffix(MORE_FOOTER).rstrip()
    assert first.endswith("。")
