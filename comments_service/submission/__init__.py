"""Reader submissions: the public comment form's endpoint and its validation."""
