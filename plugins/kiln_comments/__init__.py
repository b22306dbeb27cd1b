"""Pelican plugin: bake each post's approved comments and linkbacks into its pages."""

from .plugin import register

__all__ = ["register"]
