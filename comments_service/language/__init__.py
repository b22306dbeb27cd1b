"""Kiln's own words in the reader's, the author's or the moderator's language: catalogs, choice, dates and Jinja."""
