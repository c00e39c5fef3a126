"""Central queue server.

Importing this package has no side effects: the apps import ``server.contract``
and must not pull in SQLAlchemy, FastAPI or paho through it.
"""
