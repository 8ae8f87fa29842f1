"""Evidence spans are code-point indices into the Python string: `text[start:end]` is the
evidence, whatever the text holds (emoji, combining marks, zero-width characters, scripts,
lone surrogates)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lurescan
from conftest import LURE


def check_spans(clf: lurescan.Classifier, text: str) -> int:
    """Asserts the round trip for every piece of evidence; returns how many there were."""
    n = 0
    for e in (clf.explain(text), clf.explain_batch([text])[0]):
        assert e is not None
        for r in e.reasons:
            for ev in r.evidence:
                assert 0 <= ev.start <= ev.end <= len(text)
                assert text[ev.start : ev.end] == ev.text, (r.signal, ev)
                n += 1
            for start, end, span_text in r.spans:
                assert text[start:end] == span_text
    return n


TRICKY = [
    LURE,
    # Emoji, including multi-code-point ones (ZWJ sequences, flags, skin tones, keycaps).
    "👨‍👩‍👧‍👦🇰🇭🇹🇭👍🏽1️⃣ LOKER 🔥 kerja di Kamboja 💰 gaji $1,500/bulan ✈️ tiket gratis, WA 0812-3456-7890",
    # Combining marks, decomposed (NFD) and precomposed, Vietnamese tone marks.
    unicodedata.normalize("NFD", "Tuyển nhân viên làm việc tại Campuchia, lương 1500$/tháng, bao vé máy bay"),
    "Ca\u0301mpuchia Ke\u0300rja di Kambo\u0301ja, gaji 10jt/bln, tiket pesawat gratis",
    # Zero-width characters and homoglyphs inside the words (the normaliser sees through them).
    "K\u200bamboja  ka\u200dmboja  Камбоджа  gaji 1O jt, tiket\u00a0gratis, W\u200bA 0812 3456 7890",
    # Spaced-out and leet letters.
    "K A M B O J A  k4mb0j4  g@ji 15jt  t!ket gratis",
    # Other scripts.
    "招聘客服，工作地点：柬埔寨西港，月薪8000-12000元，包吃包住，机票报销，联系Telegram @hr_kh88",
    "รับสมัครพนักงานพิมพ์งาน ทำงานต่างประเทศ กัมพูชา เงินเดือน 30,000 บาท ฟรีตั๋วเครื่องบิน",
    "캄보디아 프놈펜 고수익 알바 월 1000만원, 항공권 숙소 제공, 텔레그램 @kh_job",
    # Astral-plane letters (four UTF-8 bytes, one code point).
    "𝐊𝐚𝐦𝐛𝐨𝐣𝐚 𝓰𝓪𝓳𝓲 $2000 kerja di Kamboja 𝟏𝟐𝐣𝐭",
]


@pytest.mark.parametrize("text", TRICKY)
def test_spans_round_trip(clf: lurescan.Classifier, text: str) -> None:
    check_spans(clf, text)


def test_tricky_texts_do_find_evidence(clf: lurescan.Classifier) -> None:
    # Not vacuous: most of these texts carry evidence after a non-ASCII prefix.
    assert sum(check_spans(clf, t) > 0 for t in TRICKY) >= len(TRICKY) - 2
    assert check_spans(clf, TRICKY[1]) > 0


def test_spans_round_trip_on_corpus(clf: lurescan.Classifier, texts: list[str]) -> None:
    n = sum(check_spans(clf, t) for t in texts[::3])
    assert n > 100


def test_lone_surrogates(clf: lurescan.Classifier) -> None:
    # Not valid Unicode, but a Python str may hold them: they are read as "?", one code point
    # for one, so indices still match, and evidence text is sliced from the Python string.
    text = "\ud800 kerja di \udfff Kamboja gaji $1,000 \ud83d tiket gratis \udc00 WA 0812-3456-7890"
    p = clf.score(text)
    assert 0.0 <= p <= 1.0
    assert clf.classify(text) in ("ok", "review", "lure")
    assert check_spans(clf, text) > 0
    assert clf.score_batch([text])[0] == pytest.approx(p, abs=1e-6)
    spanning = "x\ud800Kamboja\udfffy"
    check_spans(clf, spanning)


FRAGMENTS = [
    "Kamboja", "kerja", "gaji", "$1,000", "12jt/bln", "tiket pesawat gratis", "WA 0812-3456-7890",
    "Telegram @hr_lisa88", "usia 18-35", "Phnom Penh", "tanpa pengalaman", "visa", "🔥", "👨‍👩‍👧",
    "\u0301", "\u200b", "é", "ñ", "𝐊", "柬埔寨", "月薪8000元", " ", "\n", "!!",
]


@settings(
    max_examples=150,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the work tree
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(parts=st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=20))
def test_property_spans_scores_batch(clf: lurescan.Classifier, parts: list[str]) -> None:
    text = " ".join(parts)
    p = clf.score(text)
    assert 0.0 <= p <= 1.0
    check_spans(clf, text)
    batch = clf.score_batch([text, "", text], dtype="float64")
    assert batch[0] == batch[2] == p


def test_long_post_is_explained_by_its_best_window():
    clf = lurescan.Classifier.bundled()
    lure = "Dicari CS online, gaji 12jt/bln, tiket pesawat gratis, kerja di K4mboja. WA 0812-3456-7890"
    padding = "Hari ini kami makan siang bersama keluarga di rumah nenek. " * 100
    text = "Halo semua 😊 " + padding + "\n\n" + lure
    e = clf.explain(text)
    start, end = e.window
    assert 0 <= start < end <= len(text)
    assert lure in text[start:end]
    assert e.score == clf.score(text)
    for r in e.reasons:
        for ev in r.evidence:
            assert start <= ev.start <= ev.end <= end
            assert text[ev.start:ev.end] == ev.text
    short = clf.explain(lure)
    assert short.window == (0, len(lure))
