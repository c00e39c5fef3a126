from tests.server.backends import db_url, world

__all__ = ["db_url", "world"]
