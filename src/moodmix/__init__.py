"""moodmix: mood-based playlists on the ReccoBeats API."""
