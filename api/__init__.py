"""The HTTP API host: JSON endpoints for every read and action of the CLI, behind verified
identities (personal access tokens, OpenID Connect, the development sign-in of ``brandpunt dev``).
See :mod:`api.app`. It talks to brandpunt through the client library, never through ``cli/``.
"""
