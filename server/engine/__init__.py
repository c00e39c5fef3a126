"""The pure queue engine: no I/O, injected clock.

The public API (module names, functions, signatures) is fixed in docs/engine.md:
the service layer is written against it in parallel, so keep those names.
Team working rules for everyone in this tree: CONTRIBUTING.md.
"""
