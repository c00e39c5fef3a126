"""The wire contract shared by the server and the kiosk, counter and display apps.

Topic builders, HTTP path builders, MQTT message models and HTTP request/response
models. It depends only on pydantic and the standard library, so every app can
import it cheaply.
"""

from server.contract import paths, topics

CONTRACT_VERSION = 1

__all__ = ["CONTRACT_VERSION", "paths", "topics"]
