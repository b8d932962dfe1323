"""Persistence for infrawork: SQLAlchemy 2 async tables, repositories, unit of work, migrations."""
