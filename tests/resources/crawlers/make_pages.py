# ruff: noqa: E501 - long Vietnamese sentences of the saved pages
"""Writes the saved pages of the mock site (run once; the outputs are committed).

The legacy-encoded pages are produced from the Unicode sentences below with the reverse of the
TCVN3 / VNI tables and Python's cp1258 codec, so each test can compare the repaired text with the
original sentence.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

HERE = Path(__file__).parent / "site"

ARTICLES = {
    "bqn/lu-dai-loc-10001.html": (
        "Nước lũ dâng cao ở Đại Lộc, hơn 200 hộ dân được sơ tán",
        "Lê Văn Minh",
        "2024-10-28T08:30:00+07:00",
        [
            "Sáng 28/10, nước sông Vu Gia dâng cao khiến nhiều khu dân cư ở xã Đại Hồng, huyện Đại Lộc bị ngập sâu.",
            "Ban Chỉ huy phòng chống thiên tai huyện đã sơ tán hơn 200 hộ dân đến nơi an toàn, "
            "bố trí lực lượng trực tại các điểm xung yếu.",
            "Theo Đài Khí tượng thủy văn tỉnh Quảng Nam, mưa lớn còn kéo dài trong hai ngày tới, "
            "người dân cần theo dõi thông tin chính thức.",
        ],
    ),
    "bqn/hoi-an-du-lich-10002.html": (
        "Hội An đón hơn 30 nghìn lượt khách dịp cuối tuần",
        "Trần Thị Hoa",
        "2024-10-27T15:00:00+07:00",
        [
            "Thành phố Hội An cho biết lượng khách đến phố cổ dịp cuối tuần tăng mạnh so với cùng kỳ năm trước.",
            "Nhiều hoạt động văn hóa được tổ chức tại khu vực sông Hoài, thu hút đông đảo du khách trong và ngoài nước.",
            "Ngành du lịch tỉnh Quảng Nam đang chuẩn bị các sản phẩm mới cho mùa cao điểm cuối năm.",
        ],
    ),
    "bqn/hoc-phi-tam-ky-10003.html": (
        "Tam Kỳ công bố mức học phí năm học mới",
        None,
        "2024-10-26T09:15:00+07:00",
        [
            "UBND thành phố Tam Kỳ vừa ban hành quyết định về mức thu học phí đối với các trường công lập trên địa bàn.",
            "Mức học phí mới được giữ ổn định so với năm học trước để hỗ trợ phụ huynh sau thiên tai.",
            "Phòng Giáo dục và Đào tạo thành phố sẽ hướng dẫn các trường triển khai thực hiện.",
        ],
    ),
    "portal/tin-tuc/thong-bao-xa-lu-20001.html": (
        "Thông báo xả lũ hồ thủy điện A Vương",
        "Văn phòng UBND tỉnh",
        "28/10/2024 10:00",
        [
            "Công ty Thủy điện A Vương thông báo vận hành xả lũ qua tràn từ 12 giờ ngày 28/10/2024.",
            "Lưu lượng xả dự kiến tăng dần, đề nghị UBND các huyện Đông Giang, Đại Lộc thông báo cho người dân vùng hạ du.",
            "Người dân không đi lại qua các ngầm tràn, bến đò trong thời gian hồ xả lũ.",
        ],
    ),
    "portal/tin-tuc/lay-y-kien-du-thao-20002.html": (
        "Lấy ý kiến dự thảo quy định về quản lý chợ trên địa bàn tỉnh",
        None,
        "25/10/2024 14:30",
        [
            "Sở Công Thương tỉnh Quảng Nam đang lấy ý kiến góp ý của nhân dân đối với dự thảo quy định quản lý chợ.",
            "Ý kiến góp ý gửi về Sở trước ngày 15/11/2024 qua thư điện tử hoặc trực tiếp tại bộ phận một cửa.",
            "Dự thảo được đăng tải đầy đủ trên Cổng thông tin điện tử tỉnh để người dân tham khảo.",
        ],
    ),
    "portal/tin-tuc/ho-tro-ngu-dan-20003.html": (
        "Hỗ trợ ngư dân Núi Thành khắc phục thiệt hại sau bão",
        None,
        "24/10/2024 08:00",
        [
            "UBND tỉnh quyết định hỗ trợ kinh phí cho ngư dân huyện Núi Thành bị thiệt hại tàu thuyền sau bão.",
            "Các địa phương rà soát, lập danh sách hộ bị ảnh hưởng và gửi về Sở Nông nghiệp và Phát triển nông thôn.",
            "Việc chi trả được công khai tại trụ sở UBND các xã để người dân giám sát.",
        ],
    ),
    "national/thoi-su/bao-ha-tinh-30001.html": (
        "Bão đổ bộ vào Hà Tĩnh, nhiều tuyến đường bị chia cắt",
        "Phóng viên",
        "2024-10-28T06:00:00+07:00",
        [
            "Cơn bão đổ bộ vào các huyện ven biển Hà Tĩnh gây mưa to, nhiều tuyến đường liên xã bị chia cắt.",
            "Chính quyền địa phương đã huy động lực lượng khắc phục hậu quả, bảo đảm an toàn cho người dân.",
            "Ngành điện lực đang khẩn trương khôi phục nguồn điện tại các khu vực bị ảnh hưởng.",
        ],
    ),
    "national/thoi-su/thuy-dien-quang-nam-30002.html": (
        "Thủy điện ở miền Trung đồng loạt xả lũ",
        "Phóng viên",
        "2024-10-28T07:00:00+07:00",
        [
            "Nhiều hồ thủy điện miền Trung đồng loạt xả lũ sau mưa lớn kéo dài.",
            "Tại Quảng Nam, thủy điện Đăk Mi 4 nâng lưu lượng xả, vùng hạ du huyện Đại Lộc bị ngập.",
            "Chính quyền các tỉnh yêu cầu vận hành hồ chứa đúng quy trình và thông báo sớm cho người dân.",
        ],
    ),
}

LEGACY_SENTENCES = [
    "Tỉnh Quảng Nam thông báo về tình hình mưa lũ tại huyện Đại Lộc, người dân được sơ tán đến nơi an toàn.",
    "Ban chỉ huy phòng chống thiên tai yêu cầu các xã theo dõi mực nước sông Vu Gia và sông Thu Bồn.",
    "Lực lượng chức năng đã hỗ trợ các hộ dân di chuyển tài sản, bảo đảm an toàn trong mùa mưa bão.",
]
LEGACY_TITLE = "Thông báo khẩn về mưa lũ ở Đại Lộc"

_TCVN3 = {
    "Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7,
    "ă": 0xA8, "â": 0xA9, "ê": 0xAA, "ô": 0xAB, "ơ": 0xAC, "ư": 0xAD, "đ": 0xAE,
    "à": 0xB5, "ả": 0xB6, "ã": 0xB7, "á": 0xB8, "ạ": 0xB9, "ằ": 0xBB, "ẳ": 0xBC, "ẵ": 0xBD, "ắ": 0xBE,
    "ặ": 0xC6, "ầ": 0xC7, "ẩ": 0xC8, "ẫ": 0xC9, "ấ": 0xCA, "ậ": 0xCB, "è": 0xCC, "ẻ": 0xCE, "ẽ": 0xCF,
    "é": 0xD0, "ẹ": 0xD1, "ề": 0xD2, "ể": 0xD3, "ễ": 0xD4, "ế": 0xD5, "ệ": 0xD6, "ì": 0xD7, "ỉ": 0xD8,
    "ĩ": 0xDC, "í": 0xDD, "ị": 0xDE, "ò": 0xDF, "ỏ": 0xE1, "õ": 0xE2, "ó": 0xE3, "ọ": 0xE4, "ồ": 0xE5,
    "ổ": 0xE6, "ỗ": 0xE7, "ố": 0xE8, "ộ": 0xE9, "ờ": 0xEA, "ở": 0xEB, "ỡ": 0xEC, "ớ": 0xED, "ợ": 0xEE,
    "ù": 0xEF, "ủ": 0xF1, "ũ": 0xF2, "ú": 0xF3, "ụ": 0xF4, "ừ": 0xF5, "ử": 0xF6, "ữ": 0xF7, "ứ": 0xF8,
    "ự": 0xF9, "ỳ": 0xFA, "ỷ": 0xFB, "ỹ": 0xFC, "ý": 0xFD, "ỵ": 0xFE,
}  # fmt: skip
_VNI_TONE = {"\u0300": "ø", "\u0301": "ù", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_CIRC = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
_VNI_BREVE = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_VNI_I = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}
TONES = "\u0300\u0301\u0309\u0303\u0323"


def to_tcvn3(text: str) -> bytes:
    return bytes(_TCVN3.get(ch.lower() if ch not in _TCVN3 else ch) or ord(ch) for ch in text)


def to_vni(text: str) -> bytes:
    out = []
    for ch in text:
        d = unicodedata.normalize("NFD", ch)
        base, marks = d[0], d[1:]
        tone = "".join(m for m in marks if m in TONES)
        quality = "".join(m for m in marks if m not in TONES)
        upper = base.isupper()
        if ch in "đĐ":
            out.append("ñ" if ch == "đ" else "Ñ")
            continue
        if base.lower() == "i" and tone:
            s = _VNI_I[tone]
            out.append(s.upper() if upper else s)
            continue
        if quality == "\u031b":  # horn: ơ ư are letters in VNI
            out.append({"o": "ô", "u": "ö", "O": "Ô", "U": "Ö"}[base])
            out.append(_VNI_TONE.get(tone, "") if not upper else _VNI_TONE.get(tone, "").upper())
            continue
        out.append(base)
        if quality == "\u0302":
            s = _VNI_CIRC[tone]
        elif quality == "\u0306":
            s = _VNI_BREVE[tone]
        else:
            s = _VNI_TONE.get(tone, "")
        out.append(s.upper() if upper else s)
    return "".join(out).encode("cp1252")


def to_cp1258(text: str) -> bytes:
    out = []
    for ch in text:
        d = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in d if c in TONES)
        rest = unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES))
        pre = unicodedata.normalize("NFC", rest + tone)
        try:
            out.append(pre.encode("cp1258"))
        except UnicodeEncodeError:
            out.append((rest + tone).encode("cp1258"))
    return b"".join(out)


def page(title: str, author: str | None, published: str, paragraphs: list[str], *, charset: str = "utf-8") -> str:
    meta_time = (
        f'<meta property="article:published_time" content="{published}">'
        if "T" in published
        else ""
    )
    shown_time = f'<span class="date">{published}</span>'
    byline = f'<p class="author">{author}</p>' if author else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="{charset}"><title>{title}</title>{meta_time}
{f'<meta name="author" content="{author}">' if author else ''}</head>
<body><header><nav><a href="/">Trang chủ</a> <a href="/bqn/">Thời sự</a></nav></header>
<main><article><h1>{title}</h1>{shown_time}{byline}
{body}
</article></main>
<aside><h3>Tin liên quan</h3><ul><li><a href="/bqn/">Xem thêm</a></li></ul></aside>
<footer>Bản quyền thuộc về cơ quan chủ quản. Ghi rõ nguồn khi phát hành lại thông tin.</footer></body></html>
"""


def main() -> None:
    for path, (title, author, published, paragraphs) in ARTICLES.items():
        target = HERE / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page(title, author, published, paragraphs), encoding="utf-8")
    legacy = HERE / "legacy"
    legacy.mkdir(exist_ok=True)
    paras = LEGACY_SENTENCES
    t = f"{LEGACY_TITLE} (bản tin số 1)"
    (legacy / "tcvn3-40001.html").write_bytes(to_tcvn3(page(t, None, "2024-10-28T09:00:00+07:00", paras,
                                                            charset="windows-1252")))
    t = f"{LEGACY_TITLE} (bản tin số 2)"
    (legacy / "vni-40002.html").write_bytes(to_vni(page(t, None, "2024-10-28T09:00:00+07:00", paras,
                                                        charset="windows-1252")))
    t = f"{LEGACY_TITLE} (bản tin số 3)"
    (legacy / "cp1258-40003.html").write_bytes(to_cp1258(page(t, None, "2024-10-28T09:00:00+07:00", paras,
                                                              charset="windows-1258")))
    t = f"{LEGACY_TITLE} (bản tin số 4)"
    # UTF-8 bytes served as ISO-8859-1: the crawler decodes as declared, the repair step fixes it.
    (legacy / "mojibake-40004.html").write_bytes(page(t, None, "2024-10-28T09:00:00+07:00", paras,
                                                      charset="iso-8859-1").encode("utf-8"))
    t = f"{LEGACY_TITLE} (bản tin số 5)"
    (legacy / "nfd-40005.html").write_bytes(unicodedata.normalize("NFD", page(t, None, "2024-10-28T09:00:00+07:00",
                                                                              paras)).encode("utf-8"))
    # A page whose Vietnamese letters were lost in a broken conversion (each became U+FFFD): unrepairable.
    garbage = [p.encode("utf-8").decode("ascii", errors="replace") for p in paras]
    (legacy / "unknown-40006.html").write_text(
        page(LEGACY_TITLE.encode("utf-8").decode("ascii", errors="replace"), None, "2024-10-28T09:00:00+07:00",
             garbage), encoding="utf-8")

if __name__ == "__main__":
    main()
