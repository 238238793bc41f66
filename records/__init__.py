"""Typed records, identity and errors shared by every stage of the pipeline."""
