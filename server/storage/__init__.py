"""Storage: SQLAlchemy models, migrations, the repository and the demo loader."""
