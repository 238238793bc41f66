"""Sub-commands of ``mediawatch``: one module per stage, each with ``register(subparsers)``."""
