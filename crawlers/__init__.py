"""Collection: feeds, Scrapy spiders, exports and push for the province's press, official and social sources.

Layout (one job per module):

- ``registry``: the source registry (YAML) as typed data.
- ``ssrf``: the SSRF guard and a safe fetch helper for user-supplied URLs.
- ``fetch``: polite HTTP GET with conditional headers and size caps (feeds, exports by URL).
- ``feeds``: RSS/Atom polling with feedparser over fetched bytes, adaptive interval.
- ``extract``: article text and metadata with trafilatura, per-site overrides.
- ``textrepair``: NFC, HTML entities, TCVN3 / VNI / Windows-1258 mojibake repair.
- ``relevance``: the province relevance filter for national sources.
- ``exports`` / ``push``: social platform exports and forwarded items.
- ``health``: per-source health and crawl state in the store.
- ``collect``: one collection run over a registry (``collect_once``).
- ``items`` / ``pipelines`` / ``settings`` / ``middlewares`` / ``spiders`` / ``scrapy_child``: the
  Scrapy project, run in a child process (``runner``) that streams items back as JSON lines.
- ``bench``: engine throughput and memory figures.
"""
