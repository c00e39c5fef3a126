"""The errors every device module raises on purpose.

The lowest module of the package: the drivers, the layout and the ID-card parser
import from here, and ``hardware.ports`` (the interfaces) imports them, never the
other way round.
"""


class HardwareError(Exception):
    """Base of every error this package raises on purpose."""


class DeviceConfigError(HardwareError, ValueError):
    """A device URL or option is wrong: caught at start, before any ticket is issued."""
