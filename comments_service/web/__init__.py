"""The HTTP edge: request limits and guards, error pages, id routes and the OpenAPI description."""
