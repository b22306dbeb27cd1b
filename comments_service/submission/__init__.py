"""Reader submissions: the comment form's endpoint, its validation, and the reader's own pages around it."""
