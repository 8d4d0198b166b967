"""The desktop window: a pywebview page (ui/) and its Python API, one object per view.

bridge.py is the facade the page calls; start, live, review, reflection, preferences and
supervision are its views; host.py opens the window. See docs/architecture.md for adding a view.
"""
