"""Alembic environment: uses the caller's connection when ``migrate.upgrade`` passes one."""

from alembic import context
from sqlalchemy import create_engine

from server.storage.models import Base, exists_on

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=exists_on(connection.dialect.name),
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            include_object=exists_on(conn.dialect.name),
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
