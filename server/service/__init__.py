"""The use-cases of the queue server: one transaction per command, then publishing.

``QueueService`` is what the API, the CLI and the runtime call.
"""

from server.service.accounts import AccountService
from server.service.context import Actor, Result
from server.service.counters import CounterService
from server.service.devices import DeviceService
from server.service.errors import ServiceError
from server.service.reads import ReadService


class QueueService(CounterService, AccountService, DeviceService, ReadService):
    """Every use-case of the server over one database and one publisher."""


__all__ = ["Actor", "QueueService", "Result", "ServiceError"]
