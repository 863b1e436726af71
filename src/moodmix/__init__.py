"""moodmix: mood-based playlists on the ReccoBeats API, within its strict rate limits.

    from moodmix.reccobeats import ReccoBeats
    async with ReccoBeats.from_settings() as rb:
        tracks = await rb.get_tracks(["00aqkszH1FdUiJJWvX6iEl"])

Importing moodmix sets structlog to warnings on stderr, secrets redacted, unless the
application configured structlog first; ``moodmix.logs.configure_logging`` sets up an
application's logging (the standard library's too).
"""

import structlog

from moodmix.logs import configure_library_logging, configure_logging

__version__ = "0.1.0"

if not structlog.is_configured():
    configure_library_logging("warning")

__all__ = ["__version__", "configure_logging"]
