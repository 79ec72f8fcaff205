"""The JSON API under /api/v1/: the public programme without a token, a network's records with one.

Built with flask-smorest: the marshmallow schemas that validate each request also write the OpenAPI
document (/api/v1/openapi.json), so the description cannot drift from what the routes accept. Writes go
through the same domain services as the pages; a token acts with a coordinator's rights in its network.
"""
