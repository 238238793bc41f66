"""Incidents: items that tell one story or repeat one claim, clustered online within a time window.

``detector.IncidentDetector`` links newly stored items to incidents (creating, updating, routing them);
``service`` holds the analysts' operations (merge, split, add and remove items).
"""
