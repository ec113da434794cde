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
    """The ten National Technology Strategy domains, plus two categories of firms essential to
    strategic autonomy: "Ook andere innovatieve bedrijven die aantoonbaar technologieën toepassen en
    die essentieel zijn voor de strategische autonomie van Nederland en Europa, behoren tot de
    doelgroep. Denk dan aan farmacologische bedrijven en de defensie-industrie." (sources/002)

    ``strategic-autonomy`` is the single category cases were recorded with before pharma and
    defence were told apart: it stays readable in their events, and a new lead (or an update that
    sets the domain) names ``pharma`` or ``defence`` instead (``domain.decide``).
    """

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
    PHARMA = "pharma"
    DEFENCE = "defence"
    STRATEGIC_AUTONOMY = "strategic-autonomy"


STRATEGIC_AUTONOMY_DOMAINS = (TechnologyDomain.PHARMA, TechnologyDomain.DEFENCE)
"""The strategic-autonomy categories a new lead may name (the programme's two examples)."""
LEGACY_DOMAINS = (TechnologyDomain.STRATEGIC_AUTONOMY,)
"""Read in recorded events, refused for a new lead: pharma and defence merged (before issue 14)."""
NTS_DOMAINS = tuple(
    d for d in TechnologyDomain if d not in STRATEGIC_AUTONOMY_DOMAINS and d not in LEGACY_DOMAINS
)
"""The ten domains of the National Technology Strategy (NTS)."""


class CompanyType(str, Enum):
    """What the company is, in the programme's words (sources/002): "Een startup heeft de ambitie een
    miljoenen omzet na te streven, maar het product of de dienst moet nog worden bewezen. Een
    scale-up is een snel groeiende startup met een bewezen product of dienst en die een kans maakt
    internationaal door te breken en vele banen creëert. Onder grown-ups verstaan we volwassen
    bedrijven die nieuwe producten of diensten op de markt brengen." """

    STARTUP = "startup"
    SCALEUP = "scaleup"
    GROWNUP = "grownup"


class Counterfactual(str, Enum):
    """What would have happened to a realised investment without the programme, recorded at
    realisation. The impact target counts "Behoud geïnvesteerd vermogen voor NL" with the footnote
    "Vermogen dat anders niet zou worden geïnvesteerd of niet in Nederland" (sources/002): only the
    first two are retained investment; the third happened in the Netherlands anyway."""

    WOULD_HAVE_GONE_ABROAD = "would_have_gone_abroad"
    WOULD_NOT_HAVE_BEEN_INVESTED = "would_not_have_been_invested"
    WOULD_HAVE_HAPPENED_IN_NL_ANYWAY = "would_have_happened_in_nl_anyway"


RETAINED_COUNTERFACTUALS = (Counterfactual.WOULD_HAVE_GONE_ABROAD, Counterfactual.WOULD_NOT_HAVE_BEEN_INVESTED)
"""The counterfactuals whose investment counts as retained for the Netherlands."""


class ReferralTarget(str, Enum):
    """Where a case is referred to. The taskforce "Aansluiting realiseert bij aanpalende (EZ en
    regionale) beleidsprogramma's en -instrumenten en relevante organisaties, waaronder Invest-NL"
    (sources/002, Analysekader 2e)."""

    INVEST_NL = "invest-nl"
    EZ_PROGRAMME = "ez-programme"
    REGIONAL_PROGRAMME = "regional-programme"
    ORGANISATION = "organisation"


class Where(str, Enum):
    """Where a realisation took place relative to the lead: aim b of the programme is to let a
    company "door te kunnen groeien en door te investeren elders in de eigen regio of in een andere
    Nederlandse regio" (sources/002), which is told apart from growing at its current site
    (``domain.impact_facts.where_realised``)."""

    ANOTHER_REGION = "another_region"
    OWN_REGION_ELSEWHERE = "own_region_elsewhere"
    CURRENT_SITE = "current_site"


class RegionBasis(str, Enum):
    """What "another region" means in the outcomes (a report's setting, written in the report).

    ``rom-region``: another ROM's region than the lead's home region (the ROM under whose NDA the
    lead is); Twente to Arnhem/Nijmegen is then the own region (both Oost NL). ``hotspot``: another
    technology hotspot than the lead's own; Twente to Arnhem/Nijmegen is then another region. Where
    the lead or the realisation has no hotspot, the ROM region decides.
    """

    ROM_REGION = "rom-region"
    HOTSPOT = "hotspot"


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
