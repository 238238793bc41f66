"""Alerts: spike detection, alert rules as data, the alert engine and its delivery channels."""
