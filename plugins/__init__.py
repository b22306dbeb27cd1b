"""Pelican plugins that belong to Kiln."""
