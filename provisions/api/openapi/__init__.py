"""The OpenAPI 3.1 description of the API, built as a dict and served at /api/v1/openapi.json
(document.build_document). A test walks provisions/api/urls.py and fails when an address is
missing here.

parts.py holds the building blocks; the schemas of each kind of resource have their own module;
parameters.py the query and header parameters; paths.py the operations.
"""
