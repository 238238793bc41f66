"""MediaWatch application: settings, the pipeline runner and the ``mediawatch`` CLI."""
