"""Revisions of the playlist store's schema, oldest first."""
