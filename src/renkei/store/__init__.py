"""Storage adapters: SQLAlchemy tables and engine, migrations, blob store."""
