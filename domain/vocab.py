"""The programme's fixed vocabularies: regions, hotspots, domains, stages, outcomes.

One spelling per thing: these enum *values* are what the CLI accepts, what events store,
what search attributes hold and what the docs use.
"""

from __future__ import annotations

from enum import Enum


class Region(str, Enum):
    """A regional development agency (ROM); a lead's home region is the ROM it is under NDA with."""

    NOM = "nom"
    OOST_NL = "oost-nl"
    BOM = "bom"
    INNOVATIONQUARTER = "innovationquarter"
    HORIZON_FLEVOLAND = "horizon-flevoland"
    LIOF = "liof"
    ROM_UTRECHT = "rom-utrecht"
    INWEST = "inwest"
    IMPULS_ZEELAND = "impuls-zeeland"


class HotspotId(str, Enum):
    """The technology hotspots (brandpunten) named in the programme."""

    BRAINPORT_EINDHOVEN = "brainport-eindhoven"
    TWENTE = "twente"
    ARNHEM_NIJMEGEN = "arnhem-nijmegen"
    ZUIDVLEUGEL = "zuidvleugel"
    GRONINGEN = "groningen"
    ALMERE = "almere"


class TechnologyDomain(str, Enum):
    """The ten National Technology Strategy domains, plus firms essential to strategic autonomy."""

    PHOTONICS = "photonics"
    QUANTUM = "quantum"
    PROCESS_TECHNOLOGY = "process-technology"
    BIOMOLECULAR = "biomolecular"
    IMAGING = "imaging"
    MECHATRONICS = "mechatronics"
    AI_DATA = "ai-data"
    ENERGY_MATERIALS = "energy-materials"
    SEMICONDUCTORS = "semiconductors"
    CYBERSECURITY = "cybersecurity"
    STRATEGIC_AUTONOMY = "strategic-autonomy"


class CompanyType(str, Enum):
    STARTUP = "startup"
    SCALEUP = "scaleup"
    GROWNUP = "grownup"


class GrowthSpaceKind(str, Enum):
    """The five kinds of growth space a need is articulated over (DOMAIN.md, stage 2)."""

    SPACE = "space"
    CAPITAL = "capital"
    TALENT = "talent"
    HOUSING = "housing"
    ENERGY = "energy"


class Bottleneck(str, Enum):
    """What made a proposition impossible: a kind of growth space, or financing (the >EUR 50 M gap)."""

    SPACE = "space"
    CAPITAL = "capital"
    TALENT = "talent"
    HOUSING = "housing"
    ENERGY = "energy"
    FINANCING = "financing"


class TalentLevel(str, Enum):
    MBO = "mbo"
    HBO = "hbo"
    WO = "wo"


class FinancingInstrument(str, Enum):
    EARLY_PHASE = "early-phase"
    INNOVATION_CREDIT = "innovation-credit"
    WBSO = "wbso"
    INNOVATION_BOX = "innovation-box"
    ROM_FUND = "rom-fund"
    INVEST_NL = "invest-nl"
    EIB = "eib"
    PRIVATE = "private"


class Stage(str, Enum):
    """Where a case is. ``closed`` carries an :class:`Outcome`."""

    DETECTION = "detection"
    NEEDS_ARTICULATION = "needs_articulation"
    MATCHMAKING = "matchmaking"
    CONSULTATION = "consultation"
    REALISATION = "realisation"
    CLOSED = "closed"


OPEN_STAGES = (
    Stage.DETECTION,
    Stage.NEEDS_ARTICULATION,
    Stage.MATCHMAKING,
    Stage.CONSULTATION,
    Stage.REALISATION,
)


class Outcome(str, Enum):
    """How a case ended. The first two come from a ``Realised`` event, the rest from ``CaseClosed``."""

    REALISED_OTHER_REGION = "realised_other_region"
    REALISED_OWN_REGION = "realised_own_region"
    LEFT_ABROAD = "left_abroad"
    WITHDRAWN = "withdrawn"
    NO_PROPOSITION_POSSIBLE = "no_proposition_possible"


REALISED_OUTCOMES = (Outcome.REALISED_OTHER_REGION, Outcome.REALISED_OWN_REGION)


class ConsultationParty(str, Enum):
    MUNICIPALITY = "municipality"
    PROVINCE = "province"
    GRID_OPERATOR = "grid_operator"


class Verdict(str, Enum):
    """A consulted party's answer. ``negative`` sends the case back to matchmaking."""

    POSITIVE = "positive"
    CONDITIONAL = "conditional"
    NEGATIVE = "negative"


class NoteKind(str, Enum):
    """What a coordinator's note records. The progress talks "zijn ook bedoeld om leerervaringen te
    bespreken die kunnen worden gebruikt voor nieuwe aandienende casussen" (sources/002): what was
    said in a meeting, a call or an e-mail with the company is part of the case's story."""

    MEETING = "meeting"
    CALL = "call"
    EMAIL = "email"
    OTHER = "other"


HOTSPOT_REGION: dict[HotspotId, Region] = {
    HotspotId.BRAINPORT_EINDHOVEN: Region.BOM,
    HotspotId.TWENTE: Region.OOST_NL,
    HotspotId.ARNHEM_NIJMEGEN: Region.OOST_NL,
    HotspotId.ZUIDVLEUGEL: Region.INNOVATIONQUARTER,
    HotspotId.GRONINGEN: Region.NOM,
    HotspotId.ALMERE: Region.HORIZON_FLEVOLAND,
}
