"""The station's touchscreen front end (PySide6).

Only the modules of this package import Qt; ``station.ui.viewmodels`` is plain
Python and holds every decision the screens show, so it is tested without Qt.
"""
