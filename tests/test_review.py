"""`pufa review`: each citation's fp, resolved as `pufa check` resolves it, written into the YAML in place."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from bot.laws import LawLibrary, load_laws
from bot.review import review_file

CONTENT = Path(__file__).resolve().parent / "fixtures" / "content" / "content"
WAGES_FP = 'fp: "6eb6864b"'  # 《劳动合同法》第三十条, as the fixture pack records it


@pytest.fixture(scope="module")
def laws() -> LawLibrary:
    return load_laws(CONTENT / "laws")


def pack(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of the fixture pack `name` with `old` replaced by `new`."""
    text = (CONTENT / "packs" / name).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / Path(name).name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_missing_fps_of_an_article_and_a_document_are_filled_in_place(tmp_path, laws):
    original = (CONTENT / "packs" / "public" / "constitution.yaml").read_text(encoding="utf-8")
    path = pack(tmp_path, "public/constitution.yaml", '\n        fp: "65b4b787"', "")
    path.write_text(path.read_text(encoding="utf-8").replace('\n        fp: "fe166b36"', ""), encoding="utf-8")
    notes = review_file(path, laws)
    assert path.read_text(encoding="utf-8") == original
    where = os.path.relpath(path)
    assert notes == [f"{where}:11: fp of 《关于设立国家宪法日的决定》 set to 65b4b787",
                     f"{where}:12: fp of 《宪法》第三十五条 set to fe166b36"]


def test_a_citation_of_no_existing_article_is_skipped_with_a_note(tmp_path, laws):
    path = pack(tmp_path, "workers/labour.yaml", f"第三十条\n        quote: 用人单位应当按照劳动合同约定和国家规定，"
                f"向劳动者及时足额支付劳动报酬。\n        {WAGES_FP}", "第九百条")
    notes = review_file(path, laws)
    assert notes == [f"{os.path.relpath(path)}:13: skipped 《劳动合同法》第九百条: not a citation of an existing "
                     "article (run `pufa check`)"]
    assert "fp:" not in path.read_text(encoding="utf-8").split("workers-no-contract")[0]


def test_a_wrong_paragraph_still_records_its_articles_fp(tmp_path, laws):
    """`pufa check` reports the 款; the text reviewed is still the article's."""
    path = pack(tmp_path, "workers/labour.yaml", f"        {WAGES_FP}\n", "")
    path.write_text(path.read_text(encoding="utf-8").replace("ref: 《劳动合同法》第三十条", "ref: 《劳动合同法》第三十条第九款"),
                    encoding="utf-8")
    review_file(path, laws)
    assert WAGES_FP in path.read_text(encoding="utf-8")


def test_by_renews_a_changed_fp_and_signs_the_review(tmp_path, laws):
    path = pack(tmp_path, "workers/labour.yaml", WAGES_FP, 'fp: "00000000"')
    review_file(path, laws, by="张律师", today=dt.date(2026, 12, 1))
    text = path.read_text(encoding="utf-8")
    assert WAGES_FP in text and "00000000" not in text
    assert text.count("reviewed_by: 张律师") == 2 and text.count("reviewed_on: 2026-12-01") == 2


def test_an_unquoted_all_digit_fp_that_is_right_is_left_as_written(tmp_path, laws, monkeypatch):
    """YAML reads fp: 12345678 as a number; it is still the fp the editor wrote, not a changed one."""
    monkeypatch.setattr("bot.review._fingerprint", lambda ref, library: "12345678")
    path = pack(tmp_path, "workers/labour.yaml", WAGES_FP, "fp: 12345678")
    before = path.read_text(encoding="utf-8")
    notes = review_file(path, laws, by="张律师", today=dt.date(2026, 12, 1))
    assert "fp: 12345678\n" in path.read_text(encoding="utf-8")
    assert not [note for note in notes if "第三十条 set to" in note]
    assert before != path.read_text(encoding="utf-8")  # signed all the same


@pytest.mark.parametrize("written", ["fp: [6eb6864b]", "fp:\n          - 6eb6864b"])
def test_an_fp_that_is_not_text_is_left_for_the_editor_with_the_fp_to_write(tmp_path, laws, written):
    """Replacing its line would leave a block list's lines behind and break the file."""
    path = pack(tmp_path, "workers/labour.yaml", WAGES_FP, written)
    before = path.read_text(encoding="utf-8")
    notes = review_file(path, laws, by="张律师", today=dt.date(2026, 12, 1))
    after = path.read_text(encoding="utf-8")
    assert written in after and WAGES_FP not in after
    assert f"{os.path.relpath(path)}:13: the fp of 《劳动合同法》第三十条 is not text: set fp: \"6eb6864b\" by hand" in notes
    assert before != after  # signed all the same
