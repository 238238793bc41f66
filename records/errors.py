"""Errors shared across MediaWatch.

    MediaWatchError
    ├── ConfigError          bad or missing configuration (fail at start-up)
    ├── InputError           bad user input (CLI prints one line, API answers 4xx)
    ├── NotFoundError        a record that does not exist
    ├── ConflictError        optimistic-concurrency or lock conflict (API answers 409)
    ├── StoreError           the store failed (I/O, corruption, server error)
    └── ModelError           a shipped model is missing or was built with other library versions
"""


class MediaWatchError(Exception):
    """Base class of every MediaWatch error."""


class ConfigError(MediaWatchError):
    """Bad or missing configuration."""


class InputError(MediaWatchError):
    """Bad input from a user or a source."""


class NotFoundError(MediaWatchError):
    """The record asked for does not exist."""


class ConflictError(MediaWatchError):
    """A concurrent update won, or the record is locked by someone else."""


class StoreError(MediaWatchError):
    """The store failed."""


class ModelError(MediaWatchError):
    """A shipped model is missing, corrupt or built with other library versions."""
