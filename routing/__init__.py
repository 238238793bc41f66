"""Routing as data: which unit leads on an incident, with which partners, what to do, by when.

Units and their contacts live in ``config/units.yaml``; the rules (seeded from ``config/routing.yaml``
into the store's ``routing_rules`` collection, then edited by admins) in the store.
"""
