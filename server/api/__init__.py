"""The HTTP API: thin FastAPI routes over ``server.service.QueueService``."""
