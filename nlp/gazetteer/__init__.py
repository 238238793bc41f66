"""Versioned gazetteer data files (YAML); loaded by nlp.places.load_gazetteer."""
