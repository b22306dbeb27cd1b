"""The HTTP edge: request limits and guards, error pages, id routes, the OpenAPI description and the site's files."""
