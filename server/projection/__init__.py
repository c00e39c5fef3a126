"""Committed state turned into what the hall sees: the retained MQTT snapshots (display,
counter, queue), the call events and the device statuses.

``Projector`` is the centre: the service hands it the ``Effects`` of each committed
command; it builds the stale snapshots from the database (``SiteView``) and publishes
them, at once, from its ``Pump``, or in the snapshot process (``snapshot_process``),
which runs a ``Projector`` of its own. Nothing here imports ``server.service``.
"""
