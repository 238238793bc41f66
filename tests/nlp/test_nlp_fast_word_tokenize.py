"""nlp.fast_word_tokenize gives exactly underthesea's word_tokenize output (and the Rust featurizer's features)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.fast_word_tokenize import FastWordTokenizer, crfsuite_attributes, fast_word_tokenizer, join_words
from nlp.segment import Segmenter

REPO = Path(__file__).resolve().parents[2]

VARIED = [
    "Người dân xã Đại Hồng, huyện Đại Lộc (Quảng Nam) phải sơ tán khẩn cấp vì lũ.",
    "nguoi dan xa dai hong huyen dai loc phai so tan khan cap vi lu",
    "NGƯỜI DÂN ĐẠI LỘC SƠ TÁN!!! Ko ai dc về nhà, mn ơi chia sẻ gấp :)) <3",
    "Sáng 12/3/2024 lúc 10:20:50, 1.250 hộ (60.542.000 đồng; 4.123,2 tấn; 100,000,000 VNĐ; 3x4; 43H-0530).",
    "Xem https://baoquangnam.vn/tin-tuc/lu-lut?id=5&p=2 hoặc www.example.com.vn/a_b và email ban.tin@qnam.gov.vn.",
    "Gọi 0905-123-456 hoặc 03-5730-2357; Tp. Hội An, TP.HCM, T.Ư, H'Mông, xã N’Thôn Hạ, NĐ-CP, H&M, Mr. Nam, Th.S Lan.",
    "Nhiệt độ 38°C... v.v... => rất nóng -> cẩn thận >> xem thêm -- hết --- ==>",
    "Giá vàng tăng 5% (+5, -5, 2147483647, 2147483648, -2147483648, 007, ٣٤).",
    "😀 Thật không thể tin 🙏🙏 được 🇻🇳 luôn ♥‿♥ =)) :D hehe",
    "«Tin giả» “được” ‘lan truyền’ … trên mạng; ai chia sẻ sẽ bị phạt? Đúng/Sai",
    "Quảng Nam – Đà Nẵng — Huế • Hà Nội · Sài Gòn ¶ §3 ½ ¾ ² ³ µ Ω ß ẞ ǅ ǈ",
    "Ελληνικά ΣΟΦΙΑ ΟΔΟΣ σοφός, İstanbul ı İ, Москва ПРИВЕТ, 中文 洪水很严重, 한국어, ﬁ ﬂ ŉ",
    "a",
    "A",
    "1",
    "!!!",
    "   khoảng   trắng\tthừa   ",
    "Ông A nói: 'Tôi không biết!' rồi đi; bà B hỏi \"sao vậy?\"",
    "Tp.Tam Kỳ, tx.Điện Bàn, H.Núi Thành, Q.1, P.5, x.Tam Thăng, tt.Ái Nghĩa",
]


@pytest.fixture(scope="module")
def fast() -> FastWordTokenizer:
    tokenizer = fast_word_tokenizer()
    assert tokenizer.fast, "the fast path must be in use with the installed underthesea"
    return tokenizer


def _word_tokenize(text: str) -> str:
    from underthesea import word_tokenize

    return str(word_tokenize(text, format="text"))


@pytest.mark.parametrize("text", VARIED)
def test_same_output_as_word_tokenize(fast: FastWordTokenizer, text: str) -> None:
    assert fast.word_tokenize(text) == _word_tokenize(text)


def test_same_output_on_sample_and_labelled_paragraphs(fast: FastWordTokenizer) -> None:
    from sample_site.content import load_items

    texts = [f"{rec.get('title') or ''}\n{rec['text']}" for rec in load_items()]
    with (REPO / "nlp" / "labelled" / "train" / "misinformation.jsonl").open(encoding="utf-8") as handle:
        texts += [json.loads(line).get("text") or "" for _, line in zip(range(300), handle, strict=False)]
    paragraphs = [p for t in texts for p in t.split("\n") if p.strip()]
    assert len(paragraphs) > 300
    mismatches = [p for p in paragraphs if fast.word_tokenize(p) != _word_tokenize(p)]
    assert mismatches == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["Đại", "lộc", "QUẢNG", "nam", "người", "dân", "sơ", "tán", "ko", "dc", "tp.", "1.250"]),
            st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
                    "AĂÂĐÊÔƠƯÀÁẢÃẠ0123456789.,;:!?()-/'\"%&@_+=<>😀🙏", min_size=1, max_size=8),
        ),
        min_size=0,
        max_size=30,
    ),
    st.sampled_from([" ", "  ", ", ", ". ", "\t"]),
)
def test_same_output_on_generated_text(fast: FastWordTokenizer, words: list[str], sep: str) -> None:
    text = sep.join(words)
    assert fast.word_tokenize(text) == _word_tokenize(text)


def test_feature_rows_are_the_rust_featurizers_known_features(fast: FastWordTokenizer) -> None:
    import underthesea.pipeline.word_tokenize as wt_module

    featurizer = wt_module.word_tokenize_model.featurizer
    features = fast._features
    assert features is not None and features._known is not None
    for text in [t for t in VARIED if "Σ" not in t]:
        tokens = fast.tokens(text)
        mine = features(tokens)
        expected = featurizer.process([[[t] for t in tokens]])[0]
        assert mine == [[f for f in row if f in features._known] for row in expected]


def test_dropped_features_are_unknown_to_the_crf_and_kept_ones_known(fast: FastWordTokenizer) -> None:
    import underthesea.pipeline.word_tokenize as wt_module

    featurizer = wt_module.word_tokenize_model.featurizer
    tagger = fast._tagger
    known = fast._features._known if fast._features is not None else None
    assert known is not None
    rows = featurizer.process([[[t] for t in fast.tokens(text)] for text in VARIED[:6]])
    all_features = {f for sentence in rows for row in sentence for f in row}
    dropped = sorted(all_features - known)
    kept = sorted(all_features & known)
    assert dropped and kept

    def inert(feature: str) -> bool:  # no weight for any label: score 0 and uniform marginals
        marginals = tagger.marginals([[feature]])[0]
        return tagger.tag_with_score([[feature]])[1] == 0.0 and marginals[0] == marginals[1]

    assert all(inert(f) for f in dropped)
    assert sum(not inert(f) for f in kept) > 0.9 * len(kept)


def test_crfsuite_attributes_reads_the_model(tmp_path: Path) -> None:
    import underthesea.pipeline.word_tokenize as wt_module

    model = Path(wt_module.__file__).parent / "models" / "ws_crf_vlsp2013_20230727" / "models.bin"
    attributes = crfsuite_attributes(model)
    assert len(attributes) > 10_000 and "T[-1]=BOS" in attributes and "T[0].isdigit=True" in attributes
    broken = tmp_path / "broken.bin"
    broken.write_bytes(model.read_bytes()[:200])
    with pytest.raises(ValueError):
        crfsuite_attributes(broken)


def test_capital_sigma_takes_word_tokenize_itself(fast: FastWordTokenizer) -> None:
    before = fast.fallbacks
    text = "ΟΔΟΣ Σ và ΣΟΦΙΑ ở Hội An"
    assert fast.word_tokenize(text) == _word_tokenize(text)
    assert fast.fallbacks == before + 1


def test_segmenter_output_is_word_tokenize_per_paragraph() -> None:
    text = "\n".join(VARIED[:6])
    expected = "\n".join(_word_tokenize(p) for p in text.split("\n") if p.strip())
    assert Segmenter(cache_size=0).segment(text) == expected


def _underthesea_join(tags: list[str], tokens: list[str]) -> str:
    """The output loop of underthesea's word_tokenize (format="text"), as written there."""
    output: list[str] = []
    for i, (tag, token) in enumerate(zip(tags, tokens, strict=True)):
        if tag == "I-W" and i > 0:
            output[-1] = output[-1] + " " + token
        else:
            output.append(token)
    return " ".join(item.replace(" ", "_") for item in output)


@pytest.mark.parametrize(
    ("tags", "tokens"),
    [
        (["B-W"], ["Lũ"]),
        (["I-W", "I-W", "B-W"], ["Người", "dân", "đi"]),
        (["B-W", "I-W", "B-W", "I-W"], ["Đại", "Lộc", "sơ", "tán"]),
        (["B-W", "I-W", "B-W"], ["a b", "c", "d e"]),  # spaces inside tokens (never from the regex) become "_"
    ],
)
def test_join_words_is_word_tokenizes_output_loop(tags: list[str], tokens: list[str]) -> None:
    assert join_words(tags, tokens) == _underthesea_join(tags, tokens)


@pytest.mark.parametrize(
    "token",
    ["5", "+5", "-5", "007", "2147483647", "2147483648", "-2147483648", "-2147483649", "١٢", "5a", "1.5", "-", "+"],
)
def test_isdigit_and_istitle_match_the_rust_featurizer(fast: FastWordTokenizer, token: str) -> None:
    import underthesea.pipeline.word_tokenize as wt_module

    from nlp.fast_word_tokenize import _rust_isdigit, _rust_istitle

    rust = wt_module.word_tokenize_model.featurizer.process([[[token]]])[0][0]
    assert f"T[0].isdigit={_rust_isdigit(token)}" in rust
    assert f"T[0].istitle={_rust_istitle(token)}" in rust


_TRICKY = "ThSsTPpDđĐaăeêoôơuư0123456789.,:;!?'’&@/-_=+<>()[]{}%$^°CFx♥‿ \t\u00a0\u2003\x1c\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            st.text(alphabet=_TRICKY, min_size=1, max_size=6),
            st.sampled_from(["Th S", "Th s", "Th\tS", "TP.", "T.Ư", "Th.S", "ThS.", ":D", ":))", "v.v...", "e-mail",
                             "http://a.vn/x", "www.qnam.gov.vn", "a@b.vn", "02/05/2014", "43H-0530", "NĐ-CP", "1.250"]),
        ),
        max_size=12,
    )
)
def test_chunked_tokens_are_underthesea_tokenize(fast: FastWordTokenizer, parts: list[str]) -> None:
    from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize

    for text in ("".join(parts), " ".join(parts), " ".join(parts) + " ", " ".join(parts) + "\n"):
        assert fast.tokens(text) == tokenize(text)


def test_str_split_and_regex_whitespace_agree() -> None:
    import re
    import sys

    regex_space = re.compile(r"\s")
    assert all((regex_space.match(chr(c)) is not None) == chr(c).isspace() for c in range(sys.maxunicode + 1))
