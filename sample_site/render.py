"""Render the sample content as the files of each virtual site: HTML pages, RSS, sitemap, exports.

``render_site(items, base_url)`` returns a mapping path → ``Resource``; the server only looks paths up.
"""

from __future__ import annotations

import csv
import io
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import jinja2

from sample_site.content import SITES, VN_TZ

TEMPLATES = Path(__file__).with_name("templates")
LISTING_PAGE_SIZE = 10
EXPORT_PATHS = {"social_json": "/social/export/trang-cong-dong.json", "social_csv": "/social/export/nhom-cong-dong.csv"}
FEED_PATHS = {"baoquangnam": "/baoquangnam/rss/tin-moi-nhat.rss", "vnnews": "/vnnews/rss/thoi-su.rss"}
SITEMAP_PATHS = {"datquang": "/datquang/sitemap.xml"}
LISTING_PATH = "/quangnam-gov/thong-bao/"
ADMIN_PATHS = {
    "baoquangnam": "/baoquangnam/admin/login",
    "datquang": "/datquang/quan-tri/dang-nhap",
    "vnnews": "/vnnews/admin/login",
    "portal": "/quangnam-gov/quan-tri/dang-nhap",
}
ROBOTS_DISALLOW = ("/baoquangnam/admin/", "/datquang/quan-tri/", "/vnnews/admin/", "/quangnam-gov/quan-tri/")
_WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
_SECTIONS = {
    "disaster": "Thời sự",
    "accident": "Xã hội",
    "public_order": "Pháp luật",
    "health": "Sức khỏe",
    "education": "Giáo dục",
    "land": "Đất đai",
    "environment": "Môi trường",
    "economy": "Kinh tế",
    "tourism_culture": "Văn hóa – Du lịch",
    "infrastructure": "Đô thị – Giao thông",
    "governance": "Chính trị",
}
_COMMENTS = (
    ("Nguyễn Hoa", "Cảm ơn báo đã đưa tin kịp thời."),
    ("Trần Minh", "Mong các cơ quan chức năng sớm vào cuộc giải quyết."),
    ("Lê Thị Hạnh", "Bài viết rất hay, phản ánh đúng thực tế ở quê tôi."),
    ("Phạm Quốc", "Đề nghị báo tiếp tục theo dõi và thông tin thêm."),
    ("Võ Thanh", "Quê mình ngày càng phát triển, tự hào lắm."),
    ("Huỳnh Tâm", "Chia sẻ cho bà con cùng biết."),
)


@dataclass(frozen=True)
class Resource:
    """One servable file."""

    body: bytes
    content_type: str
    last_modified: datetime


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )


def local_iso(moment: datetime) -> str:
    """ISO 8601 in Vietnam time with its offset (what Vietnamese sites put in their metadata)."""
    return moment.astimezone(VN_TZ).isoformat(timespec="seconds")


def display_time(moment: datetime) -> str:
    """``Thứ Năm, 26/11/2026 14:05 (GMT+7)`` as Vietnamese news pages print it."""
    local = moment.astimezone(VN_TZ)
    return f"{_WEEKDAYS[local.weekday()]}, {local:%d/%m/%Y %H:%M} (GMT+7)"


def paragraphs(text: str) -> list[str]:
    return [p.strip().replace("\n", " ") for p in text.split("\n\n") if p.strip()]


def _site_ctx(key: str) -> dict[str, Any]:
    site = SITES[key]
    city = "Hà Nội" if site.national else "Tam Kỳ, Quảng Nam"
    return {"site_name": site.name, "prefix": site.prefix, "admin_path": ADMIN_PATHS[key], "city": city}


def _article(env: jinja2.Environment, item: dict[str, Any], same_site: Sequence[dict[str, Any]]) -> bytes:
    paras = paragraphs(item["text"])
    seed = zlib.crc32(item["id"].encode())
    others = [o for o in same_site if o["id"] != item["id"]]
    related = [others[(seed + k * 7) % len(others)] for k in range(min(3, len(others)))] if others else []
    comments = [_COMMENTS[(seed + k) % len(_COMMENTS)] for k in range(seed % 3 + 1)]
    topic = item["topics"][0] if item["topics"] else "governance"
    html = env.get_template("article.html").render(
        **_site_ctx(item["site"]),
        item=item,
        lead=paras[0][:200] if paras else "",
        paragraphs=paras,
        published_iso=local_iso(item["published_at"]),
        published_display=display_time(item["published_at"]),
        section=_SECTIONS.get(topic, "Thời sự"),
        related=related,
        comments=comments,
    )
    return html.encode("utf-8")


def _rss(key: str, items: Sequence[dict[str, Any]], base_url: str, built: datetime) -> bytes:
    site = SITES[key]
    entries = []
    for it in sorted(items, key=lambda i: i["published_at"], reverse=True):
        lead = paragraphs(it["text"])[0]
        entries.append(
            "<item>"
            f"<title>{escape(it['title'])}</title>"
            f"<link>{escape(it['url'])}</link>"
            f'<guid isPermaLink="true">{escape(it["url"])}</guid>'
            f"<description>{escape(lead)}</description>"
            f"<dc:creator>{escape(it.get('author') or '')}</dc:creator>"
            f"<pubDate>{format_datetime(it['published_at'].astimezone(VN_TZ))}</pubDate>"
            "</item>"
        )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<channel>"
        f"<title>{escape(site.name)}</title>"
        f"<link>{escape(base_url + site.prefix)}</link>"
        "<description>Tin tức mẫu cho MediaWatch (nội dung hư cấu)</description>"
        "<language>vi</language>"
        f"<lastBuildDate>{format_datetime(built.astimezone(VN_TZ))}</lastBuildDate>"
        + "".join(entries)
        + "</channel></rss>\n"
    )
    return xml.encode("utf-8")


def _sitemap(items: Sequence[dict[str, Any]]) -> bytes:
    urls = "".join(
        f"<url><loc>{escape(it['url'])}</loc><lastmod>{local_iso(it['published_at'])}</lastmod></url>"
        for it in sorted(items, key=lambda i: i["published_at"], reverse=True)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    ).encode()


def export_rows(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Social posts in the export format the crawlers read."""
    return [
        {
            "post_id": it["post_id"],
            "url": it["url"],
            "page_name": it["page_name"],
            "text": it["text"],
            "created_time": local_iso(it["published_at"]),
            "reactions": it["reactions"],
            "shares": it["shares"],
            "comments": it["comments"],
        }
        for it in sorted(items, key=lambda i: i["published_at"])
    ]


def export_json(items: Sequence[dict[str, Any]]) -> bytes:
    return json.dumps(export_rows(items), ensure_ascii=False, indent=1).encode("utf-8")


def export_csv(items: Sequence[dict[str, Any]]) -> bytes:
    rows = export_rows(items)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def robots_txt(base_url: str, scope: str = "") -> bytes:
    lines = ["User-agent: *", *[f"Disallow: {p}" for p in ROBOTS_DISALLOW if p.startswith(scope)], "Allow: /"]
    lines += [f"Sitemap: {base_url}{p}" for p in SITEMAP_PATHS.values() if p.startswith(scope)]
    return ("\n".join(lines) + "\n").encode()


def render_site(items: Sequence[dict[str, Any]], base_url: str, built: datetime) -> dict[str, Resource]:
    """Every file of every virtual site, keyed by URL path."""
    env = _env()
    out: dict[str, Resource] = {}
    html, xml = "text/html; charset=utf-8", "application/xml; charset=utf-8"
    by_site: dict[str, list[dict[str, Any]]] = {key: [] for key in SITES}
    for it in items:
        by_site[it["site"]].append(it)

    def newest(seq: Sequence[dict[str, Any]]) -> datetime:
        return max((i["published_at"] for i in seq), default=built)

    for key, site_items in by_site.items():
        if SITES[key].kind == "social":
            continue
        for it in site_items:
            out[it["path"]] = Resource(_article(env, it, site_items), html, it["published_at"])
        out[ADMIN_PATHS[key]] = Resource(env.get_template("admin.html").render(**_site_ctx(key)).encode(), html, built)
        listed = [
            {
                "path": i["path"],
                "title": i["title"],
                "display": display_time(i["published_at"]),
                "lead": paragraphs(i["text"])[0][:180],
            }
            for i in sorted(site_items, key=lambda i: i["published_at"], reverse=True)
        ]
        home = env.get_template("home.html").render(**_site_ctx(key), items=listed[:30], feed_path=FEED_PATHS.get(key))
        out[SITES[key].prefix] = Resource(home.encode(), html, newest(site_items))
        out[SITES[key].prefix + "robots.txt"] = Resource(robots_txt(base_url, SITES[key].prefix), "text/plain", built)
        if key in FEED_PATHS:
            out[FEED_PATHS[key]] = Resource(
                _rss(key, site_items, base_url, newest(site_items)),
                "application/rss+xml; charset=utf-8",
                newest(site_items),
            )
        if key in SITEMAP_PATHS:
            out[SITEMAP_PATHS[key]] = Resource(_sitemap(site_items), xml, newest(site_items))
        if key == "portal":
            pages = max(1, -(-len(listed) // LISTING_PAGE_SIZE))
            for page in range(1, pages + 1):
                path = LISTING_PATH if page == 1 else f"{LISTING_PATH}?trang={page}"
                prev_path = None if page == 1 else (LISTING_PATH if page == 2 else f"{LISTING_PATH}?trang={page - 1}")
                body = env.get_template("listing.html").render(
                    **_site_ctx(key),
                    items=listed[(page - 1) * LISTING_PAGE_SIZE : page * LISTING_PAGE_SIZE],
                    page=page,
                    pages=pages,
                    next_path=f"{LISTING_PATH}?trang={page + 1}" if page < pages else None,
                    prev_path=prev_path,
                )
                out[path] = Resource(body.encode(), html, newest(site_items))
    out[EXPORT_PATHS["social_json"]] = Resource(
        export_json(by_site["social_json"]), "application/json; charset=utf-8", newest(by_site["social_json"])
    )
    out[EXPORT_PATHS["social_csv"]] = Resource(
        export_csv(by_site["social_csv"]), "text/csv; charset=utf-8", newest(by_site["social_csv"])
    )
    out["/robots.txt"] = Resource(robots_txt(base_url), "text/plain", built)
    index = "".join(f'<li><a href="{s.prefix}">{s.name}</a></li>' for s in SITES.values() if s.kind != "social")
    root = f'<!DOCTYPE html><html lang="vi"><meta charset="utf-8"><title>Trang mẫu MediaWatch</title><ul>{index}</ul>'
    out["/"] = Resource(root.encode(), html, built)
    return out


def not_found_page(prefix: str) -> bytes:
    """The 404 page of the site owning ``prefix`` (or of the root)."""
    key = next((k for k, s in SITES.items() if s.kind != "social" and prefix.startswith(s.prefix)), "baoquangnam")
    return _env().get_template("not_found.html").render(**_site_ctx(key)).encode()
