"""The coordinator's actions as people give them: each command's fields by the names people type.

One table for every way in: the CLI builds its flags from it (``cli/flags.py``: ``--needed-by``), a
``--file`` and a pipeline import use the same names as keys and columns, and the web app builds one
form per action from it (``api/web/actions.py``: the input ``needed-by``). Each field says where its
value goes in the command's body (``("needs", "needed_by")``), what it holds (a number, a date, one
of a vocabulary's values) and its help text, so a refusal that names ``needs.needed_by`` is shown as
``--needed-by`` on the command line and beside the ``needed-by`` input on a page.

Nothing here judges a value: ``domain.commands`` parses (bounds, strict types) and ``domain.decide``
decides. ``required`` only says what a person must fill in; the domain refuses what is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from client import forms
from client.errors import BadInput
from domain.vocab import (
    Bottleneck,
    CompanyType,
    ConsultationParty,
    Counterfactual,
    FinancingInstrument,
    HotspotId,
    NoteKind,
    Outcome,
    ReferralTarget,
    Region,
    TechnologyDomain,
    Verdict,
)

Kind = Literal["text", "long", "int", "decimal", "date", "choice", "choices", "yes"]
"""``long``: text of a paragraph (a textarea); ``choices``: several of ``choices`` (``--instrument``
again per value); ``yes``: given or not (a flag without a value, a checkbox)."""


def values(enum: type[Enum]) -> tuple[str, ...]:
    return tuple(str(m.value) for m in enum)


@dataclass(frozen=True)
class Field:
    """One input of an action: the flag ``--{name}``, the form input ``{name}``."""

    name: str
    path: tuple[str, ...]
    """Where the value goes in the command's body."""
    kind: Kind = "text"
    help: str | None = None
    choices: tuple[str, ...] = ()
    required: bool = False
    group: str | None = None
    """A heading for fields that belong together (growth space, location)."""
    one_of: str | None = None
    """Fields with the same ``one_of`` exclude each other (``--at-current-site``/``--not-at-current-site``)."""
    caption: str | None = None
    """A form's label, where the flag name in words would not say enough."""

    @property
    def label(self) -> str:
        """The field's name for a person (a form's label): its caption, else its flag name in words."""
        words = self.name.replace("-", " ").capitalize().replace("Kvk", "KvK").replace(" eur", " (EUR)")
        for short, said in (("M2", "Floor area (m²)"), ("mva", "(MVA)"), ("Grid (MVA)", "Grid capacity (MVA)"),
                            (" fte", " FTE"), ("Hbo", "HBO"), ("Mbo", "MBO"), ("Wo ", "WO "), ("iso", "ISO"),
                            ("scaleup", "scale-up")):
            words = words.replace(short, said)
        return self.caption or words

    @property
    def negated(self) -> bool:
        """A "not" flag: given, the field it places is false; not given, it keeps its default."""
        return self.kind == "yes" and self.name.startswith(("no-", "not-"))


@dataclass(frozen=True)
class Action:
    """One command people give a case (``kind`` is its ``type`` and the ``lead`` subcommand's name)."""

    kind: str
    help: str
    fields: tuple[Field, ...] = ()

    @property
    def title(self) -> str:
        """The action's name for a person (a form's heading): its command name in words."""
        return {"expect-phase2-end": "Expect the end of phase 2", "propose-matches": "Propose locations"}.get(
            self.kind, self.kind.replace("-", " ").capitalize())

    @property
    def paths(self) -> forms.Paths:
        return {f.name: f.path for f in self.fields}

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


def _lead(under: tuple[str, ...], required: bool) -> tuple[Field, ...]:
    def f(name: str, kind: Kind = "text", help: str | None = None, choices: tuple[str, ...] = ()) -> Field:
        return Field(name, (*under, *forms.LEAD[name]), kind, help, choices,
                     required=required and name in forms.LEAD_REQUIRED)

    return (
        f("company", help="company name"),
        f("kvk", help="KvK number (8 digits)"),
        f("region", "choice", "home region (ROM)", values(Region)),
        f("hotspot", "choice", "nearest technology hotspot; none: the company sits outside any hotspot",
          (*values(HotspotId), forms.NONE_VALUES["hotspot"])),
        f("site", help="municipality of the company's current site"),
        f("domain", "choice", "technology domain", values(TechnologyDomain)),
        f("type", "choice", "company type", values(CompanyType)),
        f("phase", "int", "venture phase 1-4"),
        f("contact-name", help="the company's contact person"),
        f("contact-email"),
        f("contact-phone"),
        f("coordinator", help="who coordinates the case (receives reminders)"),
    )


def _needs(name: str, path: tuple[str, ...], kind: Kind = "int", help: str | None = None,
           choices: tuple[str, ...] = (), group: str = "growth space (give at least one kind)") -> Field:
    return Field(name, ("needs", *path), kind, help, choices, group=group)


NEEDS = (
    _needs("m2", ("space", "m2"), help="space: floor area in m²"),
    _needs("cleanroom-iso-class", ("space", "cleanroom_iso_class"), help="space: ISO cleanroom class needed"),
    _needs("vibration-free", ("space", "vibration_free"), "yes", "space: vibration-free"),
    _needs("heavy-transport", ("space", "heavy_transport"), "yes", "space: heavy transport"),
    _needs("environmental-category", ("space", "environmental_category"), help="space: environmental category"),
    _needs("capex-eur", ("capital", "capex_eur"), help="capital: investment in EUR"),
    _needs("no-shared-facility", ("capital", "shared_facility_ok"), "yes", "capital: a shared facility will not do"),
    _needs("mbo-fte", ("talent", "mbo_fte"), help="talent: MBO FTE"),
    _needs("hbo-fte", ("talent", "hbo_fte"), help="talent: HBO FTE"),
    _needs("wo-fte", ("talent", "wo_fte"), help="talent: WO FTE"),
    _needs("jobs", ("housing", "jobs"), help="housing: jobs the growth brings"),
    _needs("housing-units", ("housing", "housing_units"), help="housing: homes needed"),
    _needs("public-transport", ("housing", "needs_public_transport"), "yes", "housing: public transport needed"),
    _needs("grid-mva", ("energy", "grid_mva"), "decimal", "energy: grid capacity in MVA"),
    _needs("financing-eur", ("financing", "amount_eur"), help="financing: amount in EUR"),
    _needs("instrument", ("financing", "instruments"), "choices", "financing: instruments",
           values(FinancingInstrument)),
    Field("needed-by", ("needs", "needed_by"), "date", "date the growth space is needed", required=True),
    Field("notes", ("needs", "notes"), "long"),
)
LOCATION = (
    Field("hotspot", ("location", "hotspot"), "choice", choices=values(HotspotId), group="location"),
    Field("region", ("location", "region"), "choice", choices=values(Region), group="location"),
    Field("municipality", ("location", "municipality"), group="location"),
)


def _scaleup(yes: str, no: str) -> tuple[Field, ...]:
    return (Field("new-scaleup", ("new_scaleup",), "yes", yes, one_of="scaleup"),
            Field("not-new-scaleup", ("new_scaleup",), "yes", no, one_of="scaleup"))


def _counterfactual(help: str, required: bool = False) -> Field:
    return Field("counterfactual", ("counterfactual",), "choice", help, values(Counterfactual), required)


CLOSING_OUTCOMES = (Outcome.LEFT_ABROAD.value, Outcome.WITHDRAWN.value, Outcome.NO_PROPOSITION_POSSIBLE.value)

START = Action("start", "start a case for a new lead", (
    *_lead(("lead",), required=True),
    Field("demo", ("demo",), "yes", "a demo, training or test case: the impact report and the inbox leave it out"),
    Field("signalled-by", ("signalled_by",),
          help="the triple-helix organisation that signalled the lead (its id, e.g. twente-board); the case stays "
               "the home region's ROM's"),
))
ACTIONS: dict[str, Action] = {a.kind: a for a in (
    Action("update", "correct the lead's facts (not its phase); only the fields given change",
           _lead(("changes",), required=False)),
    Action("note", "record a note of a meeting, call or e-mail (changes no stage)", (
        Field("text", ("text",), "long", "what was said or agreed", required=True,
              caption="What was said (a meeting, call or e-mail)"),
        Field("kind", ("kind",), "choice", "meeting, call, email or other (default other)", values(NoteKind)),
    )),
    Action("change-phase", "record a new venture phase", (
        Field("phase", ("phase",), "int", "1-4", required=True),
    )),
    Action("articulate-needs", "record the growth question", NEEDS),
    Action("propose-matches", "score the hotspots against the needs", (
        Field("limit", ("limit",), "int", "how many proposals (default 3)"),
    )),
    Action("choose-location", "record the location the company chose", tuple(
        Field(f.name, f.path[1:], f.kind, f.help, f.choices) for f in LOCATION)),
    Action("request-consultation", "consult a municipality, province or grid operator", (
        Field("party", ("party",), "choice", "who is consulted", values(ConsultationParty), required=True),
        Field("subject", ("subject",), help="what they are asked", required=True),
        Field("due", ("due",), "date", "when the answer is due", required=True),
    )),
    Action("answer-consultation", "record a consulted party's answer (negative returns to matchmaking)", (
        Field("consultation", ("consultation_id",), help="e.g. C1", required=True),
        Field("verdict", ("verdict",), "choice", choices=values(Verdict), required=True),
        Field("answer", ("answer",), "long", "what they answered", required=True),
    )),
    Action("start-realisation", "the company goes ahead at the chosen location"),
    Action("realise", "record the realised growth and close the case", (
        Field("investment-eur", ("investment_eur",), "int", "investment retained, EUR", required=True),
        Field("jobs", ("jobs",), "int", "jobs", required=True),
        _counterfactual("what would have happened without the programme (required): only would_have_gone_abroad "
                        "and would_not_have_been_invested count as retained investment", required=True),
        Field("type", ("company_type",), "choice", "the company type now (default: the lead's); with the type at "
              "detection it says whether this is a new scale-up", values(CompanyType)),
        *_scaleup("a new scale-up, against what the company types say (give --new-scaleup-reason)",
                  "no new scale-up, against what the company types say (give --new-scaleup-reason)"),
        Field("new-scaleup-reason", ("new_scaleup_reason",),
              help="why --new-scaleup or --not-new-scaleup departs from the types"),
        Field("at-current-site", ("at_current_site",), "yes", "in the own region: grows at the company's current site",
              one_of="site"),
        Field("not-at-current-site", ("at_current_site",), "yes",
              "in the own region: elsewhere than the company's current site", one_of="site"),
        *(Field(f.name, f.path, f.kind, f.help, f.choices, group="location (default: the chosen location)")
          for f in LOCATION),
    )),
    Action("close", "end the case without realisation", (
        Field("outcome", ("outcome",), "choice", "how it ended", CLOSING_OUTCOMES, required=True),
        Field("bottleneck", ("bottleneck",), "choice", "what stood in the way", values(Bottleneck)),
    )),
    Action("reopen", "reopen a case closed without realisation"),
    Action("correct-realisation", "correct a realised case's figures (--reason required)", (
        Field("investment-eur", ("investment_eur",), "int", "the right investment retained, EUR"),
        Field("jobs", ("jobs",), "int", "the right number of jobs"),
        *_scaleup("it is a new scale-up", "it is no new scale-up"),
        _counterfactual("the right counterfactual"),
    )),
    Action("refer", "refer the case to an adjacent programme or organisation, Invest-NL among them (any stage)", (
        Field("to", ("to",), "choice", "to what", values(ReferralTarget), required=True),
        Field("name", ("name",), help="which programme or organisation (unless invest-nl), e.g. Innovatiekrediet"),
        Field("subject", ("subject",), help="what the referral is about", required=True),
    )),
    Action("share", "share the case with another organisation for a purpose, until a date (the owner's "
           "coordinators; sharing again replaces purpose and date)", (
        Field("with", ("share_with",), help="the organisation's id, e.g. oost-nl", required=True),
        Field("purpose", ("purpose",), help="why it needs to know (recorded; shown in its access log entries)",
              required=True),
        Field("until", ("until",), "date", "the share's last day", required=True),
    )),
    Action("revoke-share", "end a share before its date (--reason says why)", (
        Field("with", ("share_with",), help="the organisation whose share ends", required=True),
    )),
    Action("expect-phase2-end", "record when the lead is expected to reach the end of venture phase 2 (its "
           "articulation reminder falls 90 days before it)", (
        Field("expected-end", ("expected_end",), "date", "the expected end", required=True),
    )),
)}
"""Every coordinator command on an existing case, in the order a case meets them."""


def action(kind: str) -> Action:
    return START if kind == "start" else ACTIONS[kind]


def typed(action: Action, given: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The values of ``action``'s fields in a submitted form (every value of each input, as text),
    by field name and typed as the CLI's flags type them: a number that is one becomes one (any
    other text stays text, so the command's parser names the field), a ticked box is true (a "not"
    box false), an empty input is left out. Two ticked boxes that exclude each other are refused."""
    out: dict[str, Any] = {}
    for f in action.fields:
        texts = [t.strip() for t in given.get(f.name, ()) if t.strip()]
        if not texts:
            continue
        if f.kind == "choices":
            out[f.name] = texts
        elif f.kind == "yes":
            out[f.name] = not f.negated
        else:
            out[f.name] = _number(f.kind, texts[0])
    for group in {f.one_of for f in action.fields if f.one_of}:
        both = [f.name for f in action.fields if f.one_of == group and f.name in out]
        if len(both) > 1:
            raise BadInput(f"{both[0]}: give {' or '.join(both)}, not both", both[0])
    return out


def _number(kind: Kind, text: str) -> Any:
    try:
        if kind == "int" and text.lstrip("-").isdigit():
            return int(text)
        if kind == "decimal":
            return float(text)
    except ValueError:
        pass
    return text
