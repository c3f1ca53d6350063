"""One small controller per screen of the station.

Each controller holds its screen's Qt-free view-model (``station.ui.viewmodels``) and the widget
that shows it, turns taps into the view-model's actions, sends them through the session to the
engine thread and applies the outcome. Where a screen leads to another, the controller says so
by a signal; the main window connects those signals (it composes the screens and routes between
them, nothing else).
"""
