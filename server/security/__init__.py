"""Secrets at rest: password, PIN and token hashing, below the service and storage layers
(both hash: the service when it checks a login, the seeding when it stores accounts)."""
