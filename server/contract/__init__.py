"""The wire contract shared by the server and the kiosk, counter and display apps.

Topic builders, MQTT message models and HTTP request/response models. It depends
only on pydantic and the standard library, so every app can import it cheaply.
"""

CONTRACT_VERSION = 1
