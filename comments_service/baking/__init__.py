"""Putting comment data into the static site: manifests, atomic writes, bakes and builds."""
