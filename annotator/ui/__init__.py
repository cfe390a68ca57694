"""The Qt side: the only package that imports PySide6 (windows, views, panels, undo commands, workers)."""
