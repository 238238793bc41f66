"""Spiders of the crawl child. One spider (``collect.CollectSpider``) runs every job of a run so that
all requests share one downloader, and so one per-host concurrency limit; its parts live in
``articles`` (article pages, feed-linked or listed), ``sitemap`` and ``listing``."""
