"""Qt-free view-models: one per screen, holding the state and the decisions the widgets show.

Nothing in this package imports Qt. The widgets read these objects and send the
actions they build to the engine; the outcomes come back through ``apply_*`` methods.
"""
