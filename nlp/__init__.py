"""Vietnamese NLP for MediaWatch: normalisation, segmentation, places, topics, cues, claims, flags."""
