"""The counter terminal's widgets: they render view-models and forward presses."""
