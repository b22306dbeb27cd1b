"""The comment store: tables, engines and sessions, every named query, and the SQLite write path."""
