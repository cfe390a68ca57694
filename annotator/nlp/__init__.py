"""spaCy behind a small interface: lazy pipeline loading and entity pre-annotation.

Imports only the standard library, :mod:`annotator.domain` and (inside
functions, never at import time) spaCy, so that importing this package costs
nothing on the window's start path. Offsets are Python ``str`` indexes.
"""
