"""The triage desk: the HTTP API under ``/api/v1`` and the analysts' server-rendered page."""
