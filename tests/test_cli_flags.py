"""The flags of issue 14's command fields become the commands the case decides on (no server: the
flags as ``cli.lead.act`` turns them into a command, checked by the workflow's own parser)."""

from __future__ import annotations

import pytest

from cli.flags import given, paths
from cli.main import parser
from client import forms
from client.api import command_from
from client.errors import BadInput

META = {"actor": "e2e-coordinator"}
LEAD = ["--company", "Qubit Works BV", "--region", "bom", "--domain", "pharma", "--type", "startup",
        "--phase", "2", "--contact-name", "Q"]


def command(*argv: str):
    """The command ``brandpunt lead ARGV`` sends (as ``cli.lead.act`` builds it)."""
    args = parser().parse_args(["lead", *argv])
    values = given(args, args.lead_cmd)
    meta = {**META, "reason": values.pop("reason")}
    values.pop("case-id", None)
    where = paths(args.lead_cmd, {n: d for n, d in args.flags.items() if n in values})
    return command_from(args.lead_cmd, forms.body(values, where), meta)


def test_a_lead_outside_any_hotspot_with_its_site_signalled_by_a_triple_helix_organisation():
    started = command("start", *LEAD, "--hotspot", "none", "--site", "Helmond", "--signalled-by", "brainport-development")
    assert (started.lead.hotspot, started.lead.site, started.signalled_by) == (None, "Helmond", "brainport-development")
    assert started.lead.technology_domain.value == "pharma"
    in_hotspot = command("start", *LEAD, "--hotspot", "brainport-eindhoven")
    assert (in_hotspot.lead.hotspot.value, in_hotspot.signalled_by) == ("brainport-eindhoven", None)
    with pytest.raises(BadInput, match="lead.hotspot"):
        command("start", *LEAD)  # neither a hotspot nor none
    with pytest.raises(SystemExit):
        parser().parse_args(["lead", "update", "BP-2026-0001", "--signalled-by", "twente-board"])  # a start's fact


def test_realise_with_its_counterfactual_the_type_now_an_override_and_the_site():
    realise = command("realise", "BP-2026-0001", "--investment-eur", "5", "--jobs", "2", "--counterfactual",
                      "would_not_have_been_invested", "--type", "scaleup", "--not-new-scaleup",
                      "--new-scaleup-reason", "still pre-revenue", "--not-at-current-site")
    assert (realise.counterfactual.value, realise.company_type.value, realise.new_scaleup, realise.new_scaleup_reason,
            realise.at_current_site) == ("would_not_have_been_invested", "scaleup", False, "still pre-revenue", False)
    plain = command("realise", "BP-2026-0001", "--investment-eur", "5", "--jobs", "2")
    assert (plain.counterfactual, plain.new_scaleup, plain.at_current_site) == (None, None, None)  # the case decides
    assert command("realise", "BP-2026-0001", "--investment-eur", "5", "--jobs", "2", "--new-scaleup").new_scaleup
    assert command("realise", "BP-2026-0001", "--investment-eur", "5", "--jobs", "2", "--at-current-site").at_current_site
    with pytest.raises(SystemExit):  # one or the other
        parser().parse_args(["lead", "realise", "X", "--at-current-site", "--not-at-current-site"])
    corrected = command("correct-realisation", "BP-2026-0001", "--counterfactual", "would_have_happened_in_nl_anyway",
                        "--reason", "asked again")
    assert corrected.counterfactual.value == "would_have_happened_in_nl_anyway"
    moved = command("update", "BP-2026-0001", "--hotspot", "none", "--site", "Deventer")
    assert moved.changes.given() == {"hotspot": None, "site": "Deventer"}


def test_refer_and_expect_phase2_end():
    refer = command("refer", "BP-2026-0001", "--to", "ez-programme", "--name", "Innovatiekrediet", "--subject", "credit")
    assert (refer.to.value, refer.name, refer.subject) == ("ez-programme", "Innovatiekrediet", "credit")
    with pytest.raises(BadInput, match="names the programme"):
        command("refer", "BP-2026-0001", "--to", "regional-programme", "--subject", "x")
    expected = command("expect-phase2-end", "BP-2026-0001", "--expected-end", "2027-06-30")
    assert expected.expected_end.isoformat() == "2027-06-30"


def test_signalled_by_must_be_a_triple_helix_organisation_of_the_deployment(tmp_path):
    """The client checks it against the deployment's organisations before anything travels."""
    import asyncio

    import settings as config
    from client.local import LocalCases
    from domain.organisations import OrganisationsError

    s = config.load({"BRANDPUNT_HOME": str(tmp_path)})
    orgs = s.organisations()
    assert orgs.signaller("twente-board").name == "Twente Board"
    for org_id, words in (("bom", "a rom, not a triple-helix"), ("nobody", "no organisation")):
        with pytest.raises(OrganisationsError, match=words) as err:
            orgs.signaller(org_id)
        assert "brainport-development, campus-groningen, twente-board" in str(err.value)
    started = command("start", *LEAD, "--hotspot", "brainport-eindhoven", "--signalled-by", "bom")
    with pytest.raises(BadInput) as err:
        asyncio.run(LocalCases(s).start(started))
    assert err.value.field == "signalled_by" and "not a triple-helix organisation" in str(err.value)
