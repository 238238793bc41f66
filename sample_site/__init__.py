"""A local sample source site for demos and tests: Vietnamese content about Quảng Nam served on loopback.

``sample_site.content.load_items(anchor)`` is the ground truth (every item with its intended labels);
``sample_site.server.SampleSite`` serves it as several virtual sites (two provincial press sites, a
national outlet, the provincial portal and social-post exports) and writes a sources registry for the
crawlers.
"""
