"""The application database: SQLAlchemy 2 models, engine and sessions, Alembic migrations.

    db.py        Database(url) / Database.from_settings(settings): one engine + sessionmaker;
                 Database.initialised(settings) and open_session(settings) for CLI commands
                 (NotInitialised, no file created, before `carbonpeak init`). SQLite
                 transactions begin IMMEDIATE (writers queue); nothing connects until a session is used.
    models.py    the tables (map in its docstring): plan versions and items, units, users, tokens,
                 rounds, submissions (one row per uploaded version), value rows, the audit log.
    migrate.py   upgrade(engine) runs migrations/ programmatically (no alembic.ini);
                 current_revision(engine), head_revision().
    migrations/  Alembic environment and versions (0001: the initial schema, append-only triggers
                 on audit_log for SQLite and PostgreSQL).

Use cases live in carbonpeak/services/ (init, users, rounds, submissions, audit); other engines
read current approved values through services.current.current_observations /
current_task_progress / current_project_status, which return plain rows.
"""
