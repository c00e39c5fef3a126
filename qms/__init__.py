"""The ``qms`` command: the composition root that wires server, apps and devices."""
