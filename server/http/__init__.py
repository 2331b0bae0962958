"""The HTTP side: the aiohttp app, its routes, auth, errors, schemas and rate limits."""
