"""The HTTP service: playlists over HTTP with live progress, persisted and observable.

::

    from moodmix.service import create_app
    app = create_app()                   # settings from MOODMIX_*
    # or from the command line:  moodmix serve --offline

``app`` builds the FastAPI application; ``runtime`` holds what a running service owns;
``jobs`` runs playlists in the background; ``events`` streams their progress; ``db``,
``models`` and ``repository`` store them; ``routes/`` has one module per subject.
"""

from moodmix.service.app import create_app

__all__ = ["create_app"]
