"""TreatyWatch's JSON API at /api/v1/: reads for everyone, writes with personal tokens.

Annotations are W3C Web Annotations; the OpenAPI document is served at /api/v1/openapi.json and
described for people in docs/api.md.
"""
