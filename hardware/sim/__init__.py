"""Simulators for every device: they run the real code paths in tests and in the demo."""
