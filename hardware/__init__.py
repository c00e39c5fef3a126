"""Device drivers and their simulators: ticket printers, scanners, keypads, LED displays.

Importing the package loads nothing: pick the module you need (``hardware.ports`` for
the interfaces, ``hardware.registry`` to open a device from a URL). See docs/hardware.md.
"""
