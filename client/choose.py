"""Which implementation of the client library a program on this machine uses.

With ``BRANDPUNT_API_URL`` set, :class:`client.http.HttpCases` (through the API host, as the user
``brandpunt login`` signed in); otherwise :class:`client.local.LocalCases` (Temporal and the ledger
directly: operators, and the embedded default before anyone signs in). Only the chosen one is
imported, so the HTTP path never loads the Temporal SDK or SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from client.api import Cases
    from settings import Settings


def through_api(settings: Settings) -> bool:
    return bool(settings.web.api_url)


def cases_for(settings: Settings) -> Cases:
    if through_api(settings):
        from client.http import HttpCases

        return HttpCases.from_settings(settings)
    from client.local import LocalCases

    return LocalCases(settings)
