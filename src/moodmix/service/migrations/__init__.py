"""Alembic migrations of the playlist store; ``moodmix.service.db.Database.migrate`` runs them.

To write a new revision from a checkout (the URL is read from ``MOODMIX_DATABASE_URL``)::

    alembic -c src/moodmix/service/migrations/alembic.ini revision -m "add a column"
"""
