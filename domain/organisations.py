"""The organisations of the taskforce and around it: who can own, share and read a case.

DOMAIN.md, "Who is who": the nine ROMs (one per region; a company is under NDA with its own),
the NFIA, the triple-helix partners, the Ministry (EZ, the principal, which monitors) and an audit
office. The programme: "De coördinerende ROM is de leidende gesprekspartner vanuit de taskforce
met het ministerie" (which ROM that is, is a deployment's choice, so it is a role of people, not a
property of an organisation here).

Pure: :func:`parse` turns the data file's text into :class:`Organisations`; reading the file (the
shipped ``domain/data/organisations.json`` or a deployment's own) is ``settings``'s job.
"""

from __future__ import annotations

import json
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from domain import bounds as b
from domain.vocab import Region


class OrganisationKind(str, Enum):
    ROM = "rom"
    NFIA = "nfia"
    TRIPLE_HELIX = "triple-helix"
    MINISTRY = "ministry"
    AUDIT_OFFICE = "audit-office"


class Organisation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=b.LABEL_MAX, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1, max_length=b.NAME_MAX)
    kind: OrganisationKind
    region: Region | None = Field(default=None, description="the region a ROM serves (ROMs only)")


class OrganisationsError(ValueError):
    """The organisations file is not usable; the message names the entry and the field."""


class Organisations:
    """The known organisations by id, and the ROM of each region."""

    def __init__(self, entries: list[Organisation]) -> None:
        self.by_id: dict[str, Organisation] = {}
        self.rom_of: dict[Region, Organisation] = {}
        for org in entries:
            if org.id in self.by_id:
                raise OrganisationsError(f"organisation {org.id} is listed twice")
            if (org.kind == OrganisationKind.ROM) != (org.region is not None):
                raise OrganisationsError(f"organisation {org.id}: a ROM, and only a ROM, names its region")
            if org.region is not None:
                if org.region in self.rom_of:
                    raise OrganisationsError(f"region {org.region.value} has two ROMs")
                self.rom_of[org.region] = org
            self.by_id[org.id] = org
        missing = [r.value for r in Region if r not in self.rom_of]
        if missing:
            raise OrganisationsError(f"no ROM for region(s) {', '.join(missing)}")

    def __contains__(self, org_id: object) -> bool:
        return org_id in self.by_id

    def get(self, org_id: str) -> Organisation | None:
        return self.by_id.get(org_id)

    def owner_for(self, home_region: Region) -> Organisation:
        """The ROM a lead of ``home_region`` is under NDA with (its owning organisation)."""
        return self.rom_of[home_region]

    def signaller(self, org_id: str) -> Organisation:
        """The triple-helix organisation ``org_id`` that signalled a lead (``DetectLead.signalled_by``):
        "ROM's en sommige triple-helix organisaties beschikken over een dergelijk pijplijn"
        (sources/002). It is the lead's source, never its owner (:meth:`owner_for`); a ROM's own
        leads name no signaller. Raises :class:`OrganisationsError` naming the known ones."""
        org = self.by_id.get(org_id)
        if org is None or org.kind != OrganisationKind.TRIPLE_HELIX:
            known = ", ".join(sorted(o.id for o in self.by_id.values() if o.kind == OrganisationKind.TRIPLE_HELIX))
            what = "no organisation" if org is None else f"a {org.kind.value}, not a triple-helix organisation"
            raise OrganisationsError(f"signalled_by: {org_id} is {what}; known triple-helix organisations: {known}")
        return org


_ADAPTER: TypeAdapter[list[Organisation]] = TypeAdapter(list[Organisation])


def parse(text: str) -> Organisations:
    """The organisations in ``text`` (a JSON list of objects), checked whole."""
    try:
        entries = _ADAPTER.validate_python(json.loads(text))
    except json.JSONDecodeError as err:
        raise OrganisationsError(f"not valid JSON ({err})") from None
    except ValidationError as err:
        first = err.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise OrganisationsError(f"entry {where}: {first['msg']}") from None
    return Organisations(entries)
