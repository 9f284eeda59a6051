"""SQLAlchemy models, the database factory and migrations. No UI, no torch."""
