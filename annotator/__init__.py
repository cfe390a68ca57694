"""annotator: label claims, speakers, cues and stance in news articles."""

__version__ = "0.1.0"
