"""Alembic environment: runs on the connection studydl hands it (see studydl.store.schema)."""

from alembic import context

from studydl.store.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
