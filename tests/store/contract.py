"""The store contract: behaviour every ``store.base.Store`` backend must show.

Written against the interface only. A backend's test module subclasses ``StoreContract`` and
provides a ``store`` fixture that yields a fresh, empty store (and cleans it up)::

    class TestSQLiteContract(StoreContract):
        @pytest.fixture
        def store(self, tmp_path):
            with SQLiteStore(tmp_path / "s.db") as s:
                yield s
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from records.audit import GENESIS, verify_chain
from records.errors import ConflictError, InputError, NotFoundError
from records.identity import canonical_url, item_id
from records.schema import (
    TOPIC_IDS,
    AuditEntry,
    Flag,
    Incident,
    IncidentStatus,
    Item,
    PlaceMention,
    QuarantinedRecord,
    SourceKind,
)
from store.base import IncidentQuery, ItemQuery, Store, UpsertOutcome
from tests.factories import build_item

T0 = datetime(2026, 10, 1, 0, 0, tzinfo=UTC)
DISTRICTS = ("Đại Lộc", "Hội An", "Tam Kỳ", "Điện Bàn", "Nông Sơn")
SOURCES = ("baoquangnam", "vnexpress", "fb-page-1", "quangnam-gov")
FLAG_KINDS = ("misinformation", "scam", "hate_speech")


def make_item(
    url: str,
    title: str,
    text: str = "",
    *,
    source: str = "baoquangnam",
    kind: SourceKind = SourceKind.press,
    published_at: datetime | None = T0,
    collected_at: datetime | None = None,
    topics: list[str] | None = None,
    districts: list[str] | None = None,
    flags: list[str] | None = None,
    author: str | None = None,
    incident_id: str | None = None,
) -> Item:
    """An item as a crawler would hand it over (id and hash from the identity helpers)."""
    return build_item(
        url=canonical_url(url),
        title=title,
        text=text,
        source_id=source,
        kind=kind,
        author=author,
        published_at=published_at,
        collected_at=collected_at or T0 + timedelta(days=60),
        topics=topics or [],
        districts=districts or [],
        flags=[Flag(kind=k, score=0.9, reasons=["lý do thử nghiệm"]) for k in flags or []],
        incident_id=incident_id,
    )


def random_corpus(seed: int, n: int) -> list[Item]:
    """Items with random facets and times (over 3 days) for brute-force comparisons."""
    rng = random.Random(seed)
    words = ("lũ", "lụt", "mưa", "bão", "đường", "cầu", "trường", "học", "giá", "đất", "cá", "biển")
    items = []
    for i in range(n):
        published = T0 + timedelta(minutes=rng.randrange(0, 3 * 24 * 60)) if rng.random() < 0.9 else None
        items.append(
            make_item(
                f"https://example.vn/tin/{seed}-{i}",
                f"Tin {i} " + " ".join(rng.sample(words, 3)),
                " ".join(rng.choices(words, k=12)) + f" mã {seed}x{i}",
                source=rng.choice(SOURCES),
                kind=rng.choice(list(SourceKind)),
                published_at=published,
                collected_at=T0 + timedelta(minutes=rng.randrange(0, 3 * 24 * 60)),
                topics=rng.sample(TOPIC_IDS, rng.randrange(0, 3)),
                districts=rng.sample(DISTRICTS, rng.randrange(0, 3)),
                flags=rng.sample(FLAG_KINDS, rng.choice((0, 0, 0, 1, 2))),
                incident_id=rng.choice((None, None, "inc-a", "inc-b")),
            )
        )
    return items


def matches(item: Item, q: ItemQuery) -> bool:
    """Brute-force evaluation of an ItemQuery's filters (no text) on one item."""
    t = item.sort_time
    return (
        (q.since is None or t >= q.since)
        and (q.until is None or t < q.until)
        and (not q.topics or bool(set(q.topics) & set(item.topics)))
        and (not q.districts or bool(set(q.districts) & set(item.districts)))
        and (not q.flags or bool(set(q.flags) & set(item.flag_kinds)))
        and (not q.sources or item.source_id in q.sources)
        and (not q.kinds or item.kind in q.kinds)
        and (q.incident_id is None or item.incident_id == q.incident_id)
        and (q.flagged is None or bool(item.flags) == q.flagged)
    )


def facet_keys(item: Item, by: str) -> list[str]:
    return {
        "topic": list(dict.fromkeys(item.topics)),
        "district": item.districts,
        "flag": list(dict.fromkeys(item.flag_kinds)),
        "source": [item.source_id],
        "kind": [str(item.kind)],
    }[by]


FILTER_CASES = [
    ItemQuery(),
    ItemQuery(since=T0 + timedelta(days=1), until=T0 + timedelta(days=2)),
    ItemQuery(topics=["disaster", "health"]),
    ItemQuery(districts=["Đại Lộc"]),
    ItemQuery(flags=["scam"]),
    ItemQuery(sources=["vnexpress", "fb-page-1"]),
    ItemQuery(kinds=[SourceKind.social]),
    ItemQuery(incident_id="inc-a"),
    ItemQuery(flagged=True),
    ItemQuery(flagged=False),
    ItemQuery(topics=["disaster"], districts=["Hội An", "Tam Kỳ"], since=T0 + timedelta(hours=12)),
    ItemQuery(flags=["misinformation", "hate_speech"], kinds=[SourceKind.social, SourceKind.press]),
]


def at_once(work: Callable[[int], object], workers: int = 4) -> None:
    """Run ``work(n)`` for each n below ``workers`` in threads released together; wait for them all."""
    barrier = threading.Barrier(workers)

    def run(n: int) -> None:
        barrier.wait()
        work(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def race(write: Callable[[int], object], workers: int = 4) -> list[str]:
    """Concurrent writers released together: each one's outcome, "ok" or "conflict", sorted."""
    outcomes: list[str] = []

    def attempt(n: int) -> None:
        try:
            write(n)
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("conflict")

    at_once(attempt, workers)
    return sorted(outcomes)


def all_pages(store: Store, query: ItemQuery) -> list[Item]:
    out: list[Item] = []
    page = store.search(query)
    out += page.items
    while page.next_cursor:
        page = store.search(query.model_copy(update={"cursor": page.next_cursor}))
        out += page.items
    return out


class StoreContract:
    """The contract; subclasses provide the ``store`` fixture."""

    @pytest.fixture
    def store(self) -> Store:  # pragma: no cover - overridden
        raise NotImplementedError

    # -- idempotent upsert -----------------------------------------------------------------------
    def test_same_item_twice_is_unchanged(self, store: Store) -> None:
        item = make_item("https://baoquangnam.vn/lu-lut.html", "Lũ lụt ở Đại Lộc", "Nước sông Vu Gia dâng cao.")
        first = store.upsert_items([item])
        again = store.upsert_items([item])
        assert [r.outcome for r in first] == [UpsertOutcome.created]
        assert [r.outcome for r in again] == [UpsertOutcome.unchanged]
        assert again[0].item_id == item.id
        assert store.count(ItemQuery()) == 1

    def test_stored_item_round_trips(self, store: Store) -> None:
        item = make_item(
            "https://baoquangnam.vn/a.html",
            "Sạt lở ở Nam Trà My",
            "Đường bị chia cắt.",
            topics=["disaster"],
            districts=["Nam Trà My"],
            flags=["misinformation"],
            author="Phóng viên A",
        )
        store.upsert_items([item])
        got = store.get_item(item.id)
        assert got is not None
        assert got.model_dump() == item.model_dump()
        assert store.get_item("no-such-id") is None

    def test_same_url_changed_text_updates_and_keeps_earlier_version(self, store: Store) -> None:
        url = "https://baoquangnam.vn/bao-so-5.html"
        old = make_item(url, "Bão số 5 đổ bộ", "Gió giật cấp 10.")
        new = make_item(url, "Bão số 5 đổ bộ", "Gió giật cấp 12, mưa lớn ở Tiên Phước.")
        store.upsert_items([old])
        result = store.upsert_items([new])
        assert result[0].outcome == UpsertOutcome.updated
        assert result[0].item_id == old.id
        stored = store.get_item(old.id)
        assert stored is not None
        assert stored.text == new.text
        assert stored.content_hash == new.content_hash
        assert [(v.text, v.content_hash) for v in stored.versions] == [(old.text, old.content_hash)]
        assert store.count(ItemQuery()) == 1
        assert [i.id for i in store.search(ItemQuery(text="tien phuoc")).items] == [old.id]
        assert store.upsert_items([new])[0].outcome == UpsertOutcome.unchanged

    def test_same_content_other_url_is_a_linked_duplicate(self, store: Store) -> None:
        original = make_item("https://baoquangnam.vn/x.html", "Hội An ngập sâu", "Phố cổ ngập 1,2 m.")
        copy = make_item("https://tinmoi.vn/hoi-an-ngap.html", "Hội An ngập sâu", "Phố cổ ngập 1,2 m.", source="tinmoi")
        store.upsert_items([original])
        result = store.upsert_items([copy])
        assert result[0].outcome == UpsertOutcome.duplicate
        assert result[0].item_id == original.id
        assert result[0].submitted_id == copy.id
        assert store.get_item(copy.id) is None
        stored = store.get_item(original.id)
        assert stored is not None and copy.url in stored.syndicated_with
        assert store.upsert_items([copy])[0].outcome == UpsertOutcome.duplicate
        stored = store.get_item(original.id)
        assert stored is not None and stored.syndicated_with.count(copy.url) == 1
        assert store.count(ItemQuery()) == 1

    def test_one_batch_with_repeats_and_copies(self, store: Store) -> None:
        a = make_item("https://a.vn/1", "Mưa lớn ở Quế Sơn", "Nhiều nhà bị ngập.")
        b = make_item("https://b.vn/2", "Mưa lớn ở Quế Sơn", "Nhiều nhà bị ngập.")
        c = make_item("https://a.vn/3", "Giá cá tăng", "Chợ Tam Kỳ.")
        results = store.upsert_items([a, a, b, c])
        assert [r.outcome for r in results] == [
            UpsertOutcome.created,
            UpsertOutcome.unchanged,
            UpsertOutcome.duplicate,
            UpsertOutcome.created,
        ]
        assert store.count(ItemQuery()) == 2

    def test_get_items_keeps_the_order_asked(self, store: Store) -> None:
        items = [make_item(f"https://a.vn/{i}", f"Tin số {i}", f"nội dung {i}") for i in range(5)]
        store.upsert_items(items)
        wanted = [items[3].id, "missing", items[0].id, items[4].id]
        assert [i.id for i in store.get_items(wanted)] == [items[3].id, items[0].id, items[4].id]

    # -- full text -------------------------------------------------------------------------------
    @pytest.mark.parametrize(
        ("stored_title", "query"),
        [
            ("Lũ lụt ở Đại Lộc", "lu lut"),
            ("lu lut o dai loc", "lũ lụt"),
            ("Giá lúa ở Điện Bàn", "dien ban"),
            ("Đồng bào vùng cao", "dong bao"),
            ("Du khách đến Đà Nẵng", "DA NANG"),
            ("du khach den da nang", "Đà Nẵng"),
            ("Cầu Giao Thủy", "cau giao thuy"),
        ],
    )
    def test_search_is_diacritic_insensitive_both_ways(self, store: Store, stored_title: str, query: str) -> None:
        target = make_item("https://a.vn/target", stored_title, "bài viết")
        other = make_item("https://a.vn/other", "Thời tiết hôm nay", "nắng nhẹ")
        store.upsert_items([target, other])
        assert [i.id for i in store.search(ItemQuery(text=query)).items] == [target.id]
        assert store.count(ItemQuery(text=query)) == 1

    def test_decomposed_query_text_matches(self, store: Store) -> None:
        import unicodedata

        target = make_item("https://a.vn/t", "Lũ quét ở Phước Sơn", "")
        store.upsert_items([target])
        query = unicodedata.normalize("NFD", "lũ quét")
        assert [i.id for i in store.search(ItemQuery(text=query)).items] == [target.id]

    def test_exact_diacritics_rank_higher(self, store: Store) -> None:
        older_exact = make_item("https://a.vn/1", "Bán đất nền", "rao bán", published_at=T0)
        newer_folded = make_item("https://a.vn/2", "Bàn ghế mới", "ban ghe", published_at=T0 + timedelta(days=1))
        store.upsert_items([older_exact, newer_folded])
        assert [i.id for i in store.search(ItemQuery(text="bán")).items] == [older_exact.id, newer_folded.id]
        assert [i.id for i in store.search(ItemQuery(text="bàn")).items] == [newer_folded.id, older_exact.id]
        assert [i.id for i in store.search(ItemQuery(text="bán", order="newest")).items] == [
            newer_folded.id,
            older_exact.id,
        ]

    def test_every_term_must_match(self, store: Store) -> None:
        both = make_item("https://a.vn/1", "Mưa lớn ở Hội An", "")
        one = make_item("https://a.vn/2", "Mưa phùn", "")
        store.upsert_items([both, one])
        assert [i.id for i in store.search(ItemQuery(text="mưa hội an")).items] == [both.id]

    @pytest.mark.parametrize(
        "query",
        ['"', "AND (", 'lũ" OR', "*", "NEAR(lũ lụt)", "title:lũ", "-", "'; DROP TABLE items; --", "^lũ", "lũ:*", "()"],
    )
    def test_query_syntax_in_user_text_is_ordinary_text(self, store: Store, query: str) -> None:
        target = make_item("https://a.vn/1", "Lũ lụt ở Đại Lộc", "")
        store.upsert_items([target])
        page = store.search(ItemQuery(text=query))
        found = [i.id for i in page.items]
        assert found in ([], [target.id])
        assert store.count(ItemQuery(text=query)) == len(found)
        assert store.count(ItemQuery()) == 1

    def test_punctuation_around_words_is_ignored(self, store: Store) -> None:
        target = make_item("https://a.vn/1", "Lũ lụt ở Đại Lộc", "")
        store.upsert_items([target])
        assert [i.id for i in store.search(ItemQuery(text='"lũ (lụt" *')).items] == [target.id]

    # -- filters, counts, histograms -------------------------------------------------------------
    @pytest.mark.parametrize("case", range(len(FILTER_CASES)))
    def test_filters_agree_with_brute_force(self, store: Store, case: int) -> None:
        items = random_corpus(seed=7, n=60)
        store.upsert_items(items)
        query = FILTER_CASES[case].model_copy(update={"limit": 1000})
        expected = {i.id for i in items if matches(i, query)}
        found = store.search(query)
        assert {i.id for i in found.items} == expected
        assert store.count(query) == len(expected)
        assert {i.id for i in store.iter_items(query, batch_size=7)} == expected

    @pytest.mark.parametrize("by", ["topic", "district", "flag", "source", "kind"])
    def test_facet_counts_agree_with_brute_force(self, store: Store, by: str) -> None:
        items = random_corpus(seed=11, n=60)
        store.upsert_items(items)
        for query in (ItemQuery(), ItemQuery(since=T0 + timedelta(days=1)), ItemQuery(flagged=True)):
            expected = Counter(k for i in items if matches(i, query) for k in facet_keys(i, by))
            assert store.facet_counts(query, by) == dict(expected)

    def test_facet_counts_with_text(self, store: Store) -> None:
        items = random_corpus(seed=5, n=40)
        store.upsert_items(items)
        expected = Counter(
            k for i in items if "bão" in (i.title + " " + i.text).split() for k in facet_keys(i, "topic")
        )
        assert store.facet_counts(ItemQuery(text="bao"), "topic") == dict(expected)

    @pytest.mark.parametrize("interval", ["hour", "day"])
    @pytest.mark.parametrize("by", [None, "topic", "source"])
    def test_histograms_agree_with_brute_force(self, store: Store, interval: str, by: str | None) -> None:
        items = random_corpus(seed=13, n=60)
        store.upsert_items(items)
        query = ItemQuery(districts=["Đại Lộc", "Hội An", "Tam Kỳ"])

        def floor(t: datetime) -> datetime:
            t = t.astimezone(UTC)
            return (
                t.replace(minute=0, second=0, microsecond=0)
                if interval == "hour"
                else t.replace(hour=0, minute=0, second=0, microsecond=0)
            )

        expected: Counter = Counter()
        for i in items:
            if matches(i, query):
                for key in [None] if by is None else facet_keys(i, by):
                    expected[(floor(i.sort_time), key)] += 1
        buckets = store.histogram(query, interval=interval, by=by)  # type: ignore[arg-type]
        assert {(b.start, b.key): b.count for b in buckets} == dict(expected)
        starts = [b.start for b in buckets]
        assert starts == sorted(starts)
        assert all(b.start.utcoffset() == timedelta(0) for b in buckets)

    def test_iter_items_is_oldest_first_and_ignores_limit(self, store: Store) -> None:
        items = random_corpus(seed=3, n=30)
        store.upsert_items(items)
        got = list(store.iter_items(ItemQuery(limit=5), batch_size=4))
        assert sorted(i.id for i in got) == sorted(i.id for i in items)
        times = [i.sort_time for i in got]
        assert times == sorted(times)

    # -- pagination ------------------------------------------------------------------------------
    def test_newest_pages_are_ordered_and_complete(self, store: Store) -> None:
        items = random_corpus(seed=17, n=45)
        store.upsert_items(items)
        got = all_pages(store, ItemQuery(limit=7))
        assert len(got) == len({i.id for i in got}) == 45
        times = [i.sort_time for i in got]
        assert times == sorted(times, reverse=True)
        first = store.search(ItemQuery(limit=7))
        assert first.total == 45

    @pytest.mark.parametrize("text", [None, "lũ"])
    def test_pages_stay_stable_while_items_are_inserted(self, store: Store, text: str | None) -> None:
        initial = [
            make_item(
                f"https://a.vn/p{i}",
                f"Lũ tin {i}",
                "lũ lụt" if i % 2 else "lu lut",
                published_at=T0 + timedelta(hours=i),
            )
            for i in range(40)
        ]
        store.upsert_items(initial)
        query = ItemQuery(text=text, limit=6)
        present = {i.id for i in store.iter_items(query)}
        seen: list[str] = []
        page = store.search(query)
        n = 0
        while True:
            seen += [i.id for i in page.items]
            # between pages, others insert items older, newer and in the middle of the pages
            store.upsert_items(
                [
                    make_item(
                        f"https://b.vn/new{n}-{k}",
                        f"Lũ mới {n} {k}",
                        "lũ lụt",
                        published_at=T0 + timedelta(hours=offset, minutes=7),
                    )
                    for k, offset in enumerate((-5, 20, 100))
                ]
            )
            n += 1
            if not page.next_cursor:
                break
            page = store.search(query.model_copy(update={"cursor": page.next_cursor}))
        assert len(seen) == len(set(seen)), "an item was repeated across pages"
        assert present <= set(seen), "an item present at the first page was skipped"

    def test_bad_cursor_is_an_input_error(self, store: Store) -> None:
        with pytest.raises(InputError):
            store.search(ItemQuery(cursor="not-a-cursor"))

    # -- annotate, delete ------------------------------------------------------------------------
    def test_annotate_replaces_enrichment_only(self, store: Store) -> None:
        url = "https://a.vn/x"
        store.upsert_items([make_item(url, "Tin cũ", "nội dung một")])
        store.upsert_items([make_item(url, "Tin cũ", "nội dung hai")])
        item_id_ = item_id(url)
        updated = store.annotate_item(
            item_id_,
            topics=["health"],
            places=[PlaceMention(mention="Hội An", district="Hội An")],
            flags=[Flag(kind="scam", score=0.8, reasons=["yêu cầu chuyển tiền"])],
            incident_id="inc-9",
        )
        assert updated.topics == ["health"]
        stored = store.get_item(item_id_)
        assert stored is not None
        assert stored.text == "nội dung hai" and len(stored.versions) == 1
        assert stored.incident_id == "inc-9" and stored.flag_kinds == ["scam"]
        assert store.count(ItemQuery(topics=["health"], districts=["Hội An"], flags=["scam"], flagged=True)) == 1
        assert store.count(ItemQuery(incident_id="inc-9")) == 1
        assert store.facet_counts(ItemQuery(), "flag") == {"scam": 1}
        store.annotate_item(item_id_, flags=[])
        assert store.count(ItemQuery(flagged=True)) == 0
        cleared = store.annotate_item(item_id_, clear_incident=True)
        assert cleared.incident_id is None and cleared.topics == ["health"]
        stored = store.get_item(item_id_)
        assert stored is not None and stored.incident_id is None
        assert store.count(ItemQuery(incident_id="inc-9")) == 0
        with pytest.raises(InputError):
            store.annotate_item(item_id_, incident_id="inc-1", clear_incident=True)
        with pytest.raises(NotFoundError):
            store.annotate_item("missing", topics=[])

    def test_delete_items_removes_item_author_and_versions(self, store: Store) -> None:
        url = "https://fb.com/post/1"
        store.upsert_items([make_item(url, "Bài đăng", "nội dung cũ", kind=SourceKind.social, author="Nguyễn Văn B")])
        store.upsert_items([make_item(url, "Bài đăng", "nội dung mới", kind=SourceKind.social, author="Nguyễn Văn B")])
        keep = make_item("https://a.vn/keep", "Tin khác", "giữ lại")
        store.upsert_items([keep])
        gone = item_id(url)
        assert store.delete_items([gone, gone, "missing"]) == 1
        assert store.get_item(gone) is None
        assert store.get_items([gone]) == []
        assert store.search(ItemQuery(text="nội dung")).items == []
        assert store.count(ItemQuery()) == 1
        assert store.facet_counts(ItemQuery(), "kind") == {"press": 1}
        assert store.delete_items([gone]) == 0
        # the URL can come back as a new item
        assert store.upsert_items([make_item(url, "Bài đăng", "nội dung mới")])[0].outcome == UpsertOutcome.created

    # -- quarantine ------------------------------------------------------------------------------
    def test_quarantine_round_trip(self, store: Store) -> None:
        ids = [
            store.quarantine(
                QuarantinedRecord(source_id="s", url=f"https://a.vn/{i}", reason="không đọc được", raw=f"\ufffd{i}")
            )
            for i in range(5)
        ]
        assert len(set(ids)) == 5 and all(ids)
        first = store.list_quarantine(limit=3)
        rest = store.list_quarantine(limit=3, cursor=first.next_cursor)
        got = first.items + rest.items
        assert rest.next_cursor is None
        assert sorted(r.id for r in got) == sorted(ids)
        by_id = {r.id: r for r in got}
        assert by_id[ids[2]].raw == "\ufffd2" and by_id[ids[2]].reason == "không đọc được"

    # -- incidents -------------------------------------------------------------------------------
    @staticmethod
    def _incident(incident_id: str, **kw: object) -> Incident:
        base: dict = {"title": "Tin đồn vỡ đập", "first_seen": T0, "last_seen": T0 + timedelta(hours=2)}
        base.update(kw)
        return Incident(id=incident_id, **base)

    def test_incident_create_is_create_only(self, store: Store) -> None:
        created = store.create_incident(self._incident("inc-1"))
        assert created.version == 1
        assert store.get_incident("inc-1") == created
        with pytest.raises(ConflictError):
            store.create_incident(self._incident("inc-1", title="khác"))
        assert store.get_incident("missing") is None

    def test_incident_update_checks_version(self, store: Store) -> None:
        created = store.create_incident(self._incident("inc-1"))
        updated = store.update_incident(created.model_copy(update={"status": IncidentStatus.triaged}))
        assert updated.version == 2
        with pytest.raises(ConflictError):
            store.update_incident(created.model_copy(update={"status": IncidentStatus.resolved}))
        stored = store.get_incident("inc-1")
        assert stored is not None and stored.status == IncidentStatus.triaged and stored.version == 2
        with pytest.raises(NotFoundError):
            store.update_incident(self._incident("never-created", version=1))

    def test_concurrent_incident_updates_one_wins(self, store: Store) -> None:
        created = store.create_incident(self._incident("inc-1"))
        outcomes = race(lambda n: store.update_incident(created.model_copy(update={"assignee": f"user{n}"})))
        assert outcomes == ["conflict"] * 3 + ["ok"]
        stored = store.get_incident("inc-1")
        assert stored is not None and stored.version == 2

    def test_list_incidents_filters_orders_and_pages(self, store: Store) -> None:
        rng = random.Random(5)
        incidents = []
        for n in range(25):
            inc = self._incident(
                f"inc-{n:02d}",
                severity=rng.randint(1, 5),
                status=rng.choice(list(IncidentStatus)),
                topics=rng.sample(TOPIC_IDS, 1),
                districts=rng.sample(DISTRICTS, 1),
                flag_kinds=rng.sample(FLAG_KINDS, 1),
                owner_unit=rng.choice(("Sở Y tế", "Công an tỉnh")),
                last_seen=T0 + timedelta(hours=rng.randrange(100)),
            )
            incidents.append(store.create_incident(inc))
        got, cursor = [], None
        while True:
            page = store.list_incidents(IncidentQuery(limit=4, cursor=cursor))
            got += page.items
            cursor = page.next_cursor
            if cursor is None:
                break
        assert [i.id for i in got] == [
            i.id for i in sorted(incidents, key=lambda i: (i.severity, i.last_seen, i.id), reverse=True)
        ]
        newest = store.list_incidents(IncidentQuery(order="newest", limit=100)).items
        assert [i.id for i in newest] == [
            i.id for i in sorted(incidents, key=lambda i: (i.last_seen, i.id), reverse=True)
        ]
        q = IncidentQuery(statuses=[IncidentStatus.new, IncidentStatus.triaged], min_severity=3, owner_unit="Sở Y tế")
        expected = {i.id for i in incidents if i.status in q.statuses and i.severity >= 3 and i.owner_unit == "Sở Y tế"}
        assert {i.id for i in store.list_incidents(q).items} == expected
        q2 = IncidentQuery(districts=["Hội An"], flags=["scam", "misinformation"], limit=100)
        expected2 = {
            i.id for i in incidents if "Hội An" in i.districts and set(i.flag_kinds) & {"scam", "misinformation"}
        }
        assert {i.id for i in store.list_incidents(q2).items} == expected2
        q3 = IncidentQuery(topics=[incidents[0].topics[0]], since=T0 + timedelta(hours=50), limit=100)
        expected3 = {i.id for i in incidents if i.topics == incidents[0].topics and i.last_seen >= q3.since}
        assert {i.id for i in store.list_incidents(q3).items} == expected3

    def test_delete_incident(self, store: Store) -> None:
        store.create_incident(self._incident("inc-1"))
        assert store.delete_incident("inc-1") is True
        assert store.delete_incident("inc-1") is False
        assert store.get_incident("inc-1") is None

    # -- records ---------------------------------------------------------------------------------
    def test_records_expected_version(self, store: Store) -> None:
        first = store.put_record("users", "lan", {"role": "analyst"}, expected_version=0)
        assert first.version == 1 and first.doc == {"role": "analyst"}
        with pytest.raises(ConflictError):
            store.put_record("users", "lan", {"role": "admin"}, expected_version=0)
        second = store.put_record("users", "lan", {"role": "board"}, expected_version=1)
        assert second.version == 2
        with pytest.raises(ConflictError):
            store.put_record("users", "lan", {"role": "admin"}, expected_version=1)
        with pytest.raises(ConflictError):
            store.put_record("users", "nobody", {"role": "admin"}, expected_version=3)
        third = store.put_record("users", "lan", {"role": "unit", "tên": "Lan"})
        assert third.version == 3
        got = store.get_record("users", "lan")
        assert got is not None and got.version == 3 and got.doc == {"role": "unit", "tên": "Lan"}
        assert store.get_record("api_tokens", "lan") is None

    def test_records_are_listed_by_key_per_collection(self, store: Store) -> None:
        for key in ("c", "a", "b"):
            store.put_record("routing_rules", key, {"k": key})
        store.put_record("alerts", "z", {"k": "z"})
        assert [r.key for r in store.list_records("routing_rules")] == ["a", "b", "c"]
        assert [r.key for r in store.list_records("alerts")] == ["z"]
        assert store.list_records("empty") == []
        assert store.delete_record("routing_rules", "b") is True
        assert store.delete_record("routing_rules", "b") is False
        assert [r.key for r in store.list_records("routing_rules")] == ["a", "c"]
        assert store.put_record("routing_rules", "b", {}, expected_version=0).version == 1

    def test_concurrent_create_only_records_one_wins(self, store: Store) -> None:
        outcomes = race(lambda n: store.put_record("locks", "digest-2026-W40", {"holder": n}, expected_version=0))
        assert outcomes == ["conflict"] * 3 + ["ok"]

    # -- audit -----------------------------------------------------------------------------------
    def test_audit_chain_verifies(self, store: Store) -> None:
        first = store.append_audit(AuditEntry(actor="lan", action="incident.triage", target="inc-1"))
        assert first.seq == 1 and first.prev_hash == GENESIS and first.hash
        store.append_audit(
            AuditEntry(
                actor="lan",
                action="incident.verdict",
                target="inc-1",
                details={"verdict": "false", "at": T0, "units": ("Sở Y tế",), "ghi chú": "sai sự thật"},
            )
        )
        store.append_audit(AuditEntry(actor="system", action="retention.delete", target="items", details={"n": 3}))
        entries = list(store.iter_audit())
        assert [e.seq for e in entries] == [1, 2, 3]
        assert entries[1].prev_hash == entries[0].hash
        assert verify_chain(entries)[0] is True
        assert [e.seq for e in store.iter_audit(after_seq=2)] == [3]

    def test_concurrent_audit_appends_chain(self, store: Store) -> None:
        def worker(n: int) -> None:
            for k in range(5):
                store.append_audit(AuditEntry(actor=f"user{n}", action="search", target=f"q{k}"))

        at_once(worker)
        entries = list(store.iter_audit())
        assert [e.seq for e in entries] == list(range(1, 21))
        ok, checked, message = verify_chain(entries)
        assert ok, message
        assert checked == 20
