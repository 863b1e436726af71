"""The HTTP routes, one module per subject: playlists, moods, catalog, system, health."""
