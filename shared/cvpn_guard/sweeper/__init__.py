"""The sweeper's use case beside the region sweep (``cvpn_guard.sweep``): the maintenance-window
tick. The function's body is ``cvpn_guard.handlers.sweeper``."""
