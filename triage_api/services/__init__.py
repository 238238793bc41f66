"""Keyword-only service functions behind the thin routes: they take the store and an actor,
do the work, write the audit log, and raise ``records.errors`` types on failure."""
