"""The pure queue engine: no I/O, injected clock."""
