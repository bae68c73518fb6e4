"""`clean_text` over the real corpus: damage gone, eval quotes still findable."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ingest.clean import Lexicon, clean_text
from rag.text.textmatch import find_quote

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
DEV_SET = Path(__file__).resolve().parents[2] / "evals" / "sets" / "dev.jsonl"
FILES = sorted(p.name for p in CORPUS.glob("*.txt"))
STAAT = "staat-van-het-onderwijs-2024.txt"


@pytest.fixture(scope="module")
def cleaned() -> dict[str, str]:
    return {name: clean_text((CORPUS / name).read_text(encoding="utf-8")) for name in FILES}


def test_corpus_is_present() -> None:
    assert len(FILES) == 5


@pytest.mark.parametrize("name", FILES)
def test_no_split_ligature_left(cleaned: dict[str, str], name: str) -> None:
    text = cleaned[name]
    lex = Lexicon.of(text)
    left = [
        m.group(0)
        for m in re.finditer(r"(?<![\w-])([^\W\d_]*(?:fi|ff|fl|ft|tt|fh)) ([^\W\d_]+)", text)
        if not lex.is_word(m.group(1)) and lex.knows(m.group(1) + m.group(2))
    ]
    assert left == []


def test_known_ligature_splits_are_repaired(cleaned: dict[str, str]) -> None:
    text = cleaned[STAAT]
    for broken in ("fi nanciering", "eff ecten", "wett elijk", "afh ankelijk", "Ke nnisdeling"):
        assert broken not in text
    for word in ("financiering", "effecten", "wettelijk", "afhankelijk", "Kennisdeling"):
        assert word in text


@pytest.mark.parametrize("name", FILES)
def test_format_contract(cleaned: dict[str, str], name: str) -> None:
    text = cleaned[name]
    assert "\t" not in text and "\u00a0" not in text and "\ufffd" not in text
    assert "  " not in text and " \n" not in text and "\n\n\n" not in text
    assert text == text.strip()


@pytest.mark.parametrize("name", FILES)
def test_no_page_furniture(cleaned: dict[str, str], name: str) -> None:
    lines = cleaned[name].split("\n")
    assert [line for line in lines if re.fullmatch(r"\d{1,3}", line)] == []
    assert not re.search(r"(?:\b\w  ?){8,}", cleaned[name])  # `d e  s t a a t …`
    assert not re.search(r"(?im)^pagina \d+ van \d+$|→", cleaned[name])
    assert "SECTORBEELD UIT DE STAAT" not in cleaned[name]


def test_sector_summaries_are_kept_once(cleaned: dict[str, str]) -> None:
    text = cleaned[STAAT]
    assert text.count("Koers houden bij tegenwind") == 1
    paragraph = (
        "De eerste indruk uit steekproefonderzoeken bij basisscholen en onderzoeken bij "
        "besturen stemt niet gerust"
    )
    assert text.count(paragraph) == 1
    # The chapters themselves stay: a third of the file was repeated summaries, not more.
    assert 0.6 < len(text) / len((CORPUS / STAAT).read_text(encoding="utf-8")) < 0.85


def test_headings_stay_blocks_of_their_own(cleaned: dict[str, str]) -> None:
    blocks = cleaned["schoolleidersregister-trends-2023.txt"].split("\n\n")
    assert "2 Geïdentificeerde trends en ontwikkelingen" in blocks
    assert "Samenvatting" in cleaned["sterk-onderwijs-in-uitdagende-omgevingen-2025.txt"].split("\n\n")


def test_lower_case_titles_and_numbered_titles_stay_blocks(cleaned: dict[str, str]) -> None:
    blocks = cleaned["kennisagenda-voor-het-onderwijs-2022.txt"].split("\n\n")
    themes = [b for b in blocks if re.fullmatch(r"thema [^.]{5,90}", b)]
    assert len(themes) == 6, themes
    assert blocks.count("achtergrond") == 6 and blocks.count("gamechangers") == 6
    assert "de weg naar de kennisagenda" in blocks
    # running headers (`35 thema gelijke kansen`) are page furniture, gone
    assert not [b for b in blocks if re.match(r"\d+ thema ", b)]
    sterk = cleaned["sterk-onderwijs-in-uitdagende-omgevingen-2025.txt"].split("\n\n")
    assert "1. Inleiding" in sterk
    assert "2.3 Uitdagingen op niveau van school en beleid" in sterk


def _dev_quotes() -> list[tuple[str, list[str], str]]:
    rows = []
    for line in DEV_SET.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        for quote in item["quotes"]:
            rows.append((item["id"], item["doc"].split(";"), quote))
    return rows


def test_dev_quotes_are_found_in_cleaned_text(cleaned: dict[str, str]) -> None:
    quotes = _dev_quotes()
    missing = [
        (qid, quote[:60])
        for qid, docs, quote in quotes
        if not any(find_quote(quote, cleaned[doc]) for doc in docs)
    ]
    assert len(quotes) > 50
    assert len(missing) <= 0.05 * len(quotes), missing


def test_find_quote_returns_the_span_in_the_cleaned_text(cleaned: dict[str, str]) -> None:
    text = cleaned["schoolleidersregister-trends-2023.txt"]
    quote = "trends en ontwik-\nkelingen uit de documenten"
    span = find_quote(quote, text)
    assert span is not None
    assert text[span[0] : span[1]].lower().startswith("trends en ontwikkelingen")
    assert find_quote("Schoolleiders in Japan worden anders opgeleid", text) is None
    with pytest.raises(ValueError):
        find_quote("  ", text)
