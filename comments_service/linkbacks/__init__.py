"""Linkbacks: TrackBack, Pingback and Webmention received, verified and held for moderation, and sent."""
