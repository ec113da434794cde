"""Record the Temporal histories of representative cases into tests/histories/*.json.

Run with the project's Python from the repository root:
``.venv/bin/python -m tests.histories.record [--out DIR] [NAME ...]``. It starts its own
time-skipping test server, worker and temporary ledger, runs each case (all, or the NAMEs), and
writes every run of each workflow (continue-as-new included) as ``<name>.<n>.json`` into DIR
(default: this folder). Commit the files: CI replays them against the current workflow code
(tests/test_replay.py).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.notify import Channels
from audit.replay import runs_of
from client import temporal as cases
from keys import Signer
from ledger.store import Ledger
from tests import factories as f
from tests.peers import WebhookSink
from tests.temporal_env import register_search_attributes, test_server_path
from worker import build_worker
from workflows.case_io import CaseConfig

HERE = Path(__file__).parent
QUEUE = "record"


async def happy_path(client, case_id: str) -> None:
    r = await cases.start(client, QUEUE, f.start(), case_id)
    for cmd in f.happy_path(r.state.detected_at.date()):
        await cases.execute(client, case_id, cmd)


async def back_to_matchmaking(client, case_id: str) -> None:
    r = await cases.start(client, QUEUE, f.start(phase=3), case_id)
    steps = f.happy_path(r.state.detected_at.date())[:4]
    for cmd in steps:
        await cases.execute(client, case_id, cmd)
    await cases.execute(client, case_id, f.command(
        "answer-consultation", consultation_id="C1", verdict="negative", answer="no grid capacity"))
    await cases.execute(client, case_id, f.command("choose-location", hotspot="groningen"))
    await cases.execute(client, case_id, f.command(
        "request-consultation", party="grid_operator", subject="4 MVA",
        due=(r.state.detected_at.date() + timedelta(days=60)).isoformat()))


async def closed_and_reopened(client, case_id: str) -> None:
    await cases.start(client, QUEUE, f.start(phase=1), case_id)
    await cases.execute(client, case_id, f.command("close", outcome="withdrawn"))
    await cases.execute(client, case_id, f.command("reopen"))
    await cases.execute(client, case_id, f.command("articulate-needs", needs=f.NEEDS))
    await cases.execute(client, case_id, f.command("propose-matches"))
    await cases.execute(client, case_id, f.command("close", outcome="no_proposition_possible", bottleneck="energy"))


async def continued_as_new(client, case_id: str) -> None:
    await cases.start(client, QUEUE, f.start(phase=1), case_id, config=CaseConfig(max_history_events=100))
    for i in range(25):
        await cases.execute(client, case_id, f.command("change-phase", phase=2 + i % 2))


async def reminders(env, client, case_id: str) -> None:
    """A lead past phase 2 (in phase 3) and its articulation reminder, follow-up and escalation (day 90;
    the phase-2 rule of rule sets before issue 14: at once, days 14, 30 and 45), then articulation."""
    await cases.start(client, QUEUE, f.start(phase=3), case_id)
    await env.sleep(timedelta(days=100))
    await cases.execute(client, case_id, f.command("articulate-needs", needs=f.NEEDS))


async def redelivery(env, client, case_id: str) -> None:
    """The webhook is down for the first delivery round: ReminderFailed, then a retry by rule. (In
    phase 3: the articulation reminder is owed at once.)"""
    await cases.start(client, QUEUE, f.start(phase=3), case_id)
    await env.sleep(timedelta(hours=2))
    await cases.execute(client, case_id, f.command("articulate-needs", needs=f.NEEDS))


async def resumed(client, case_id: str) -> None:
    """A case whose workflow was ended by an operator, resumed from its ledger chain."""
    await cases.start(client, QUEUE, f.start(phase=1), case_id)
    await cases.execute(client, case_id, f.command("articulate-needs", needs=f.NEEDS))
    await client.get_workflow_handle(case_id).terminate("recording: ended by an operator")
    await cases.resume(client, QUEUE, case_id)
    await cases.execute(client, case_id, f.command("propose-matches"))


async def partial_update(client, case_id: str) -> None:
    """Two coordinators change different lead fields, each from the same state: the case merges both."""
    await cases.start(client, QUEUE, f.start(phase=1), case_id)
    await cases.execute(client, case_id, f.command("update", changes={"company": "Photon Forge Holding BV"}))
    await cases.execute(client, case_id, f.command("update", changes={"contact": {"email": "cfo@example.org"}}))


async def note(client, case_id: str) -> None:
    """Notes in an open case and after it closed (changing no stage)."""
    await cases.start(client, QUEUE, f.start(phase=1), case_id)
    await cases.execute(client, case_id, f.command("note", text="first call with the founders", kind="call"))
    await cases.execute(client, case_id, f.command("close", outcome="withdrawn"))
    await cases.execute(client, case_id, f.command("note", text="they may come back in 2027", kind="meeting"))


async def corrected(client, case_id: str) -> None:
    """A realised case whose investment was mistyped, corrected with its reason."""
    r = await cases.start(client, QUEUE, f.start(phase=1), case_id)
    for cmd in f.happy_path(r.state.detected_at.date()):
        await cases.execute(client, case_id, cmd)
    await cases.execute(client, case_id, f.command(
        "correct-realisation", investment_eur=2_500_000, reason="a zero too many in the realise command"))


async def demo(client, case_id: str) -> None:
    """A demo case (left out of reports) from an import, through a needs articulation (the
    refuse-past-needed-by patch)."""
    await cases.start(client, QUEUE, f.start(phase=1, demo=True, source="import:pipeline.csv#row 3"), case_id)
    await cases.execute(client, case_id, f.command("articulate-needs", needs=f.NEEDS))
    await cases.execute(client, case_id, f.command("propose-matches"))


async def programme_facts(client, case_id: str) -> None:
    """Issue 14's case facts: a pharma startup outside any hotspot, signalled by a triple-helix
    organisation, with its current site; an expected end of phase 2, a referral to Invest-NL; realised
    elsewhere in its own region as a scale-up (derived), with its counterfactual, then corrected."""
    r = await cases.start(client, QUEUE, f.start(
        phase=2, hotspot=None, technology_domain="pharma", company_type="startup", site="Helmond",
        signalled_by="brainport-development"), case_id)
    today = r.state.detected_at.date()
    await cases.execute(client, case_id, f.command(
        "expect-phase2-end", expected_end=(today + timedelta(days=300)).isoformat()))
    await cases.execute(client, case_id, f.command("refer", to="invest-nl", subject="co-financing the plant"))
    await cases.execute(client, case_id, f.command("update", changes={"company_type": "scaleup"}))
    for cmd in f.happy_path(today, hotspot="brainport-eindhoven")[:-1]:
        if cmd.type == "choose-location":  # another municipality than the current site's
            cmd = f.command("choose-location", hotspot="brainport-eindhoven", municipality="Eindhoven")
        await cases.execute(client, case_id, cmd)
    await cases.execute(client, case_id, f.command(
        "realise", investment_eur=30_000_000, jobs=80, counterfactual="would_not_have_been_invested"))
    await cases.execute(client, case_id, f.command(
        "correct-realisation", counterfactual="would_have_gone_abroad", reason="the board's minutes say abroad"))


async def articulation_window(env, client, case_id: str) -> None:
    """The articulation rule: an end of phase 2 expected in 100 days; the reminder 90 days before it,
    the follow-up, the escalation 90 days past it; then the needs, a year and a half ahead (flagged)."""
    r = await cases.start(client, QUEUE, f.start(phase=2), case_id)
    today = r.state.detected_at.date()
    await cases.execute(client, case_id, f.command(
        "expect-phase2-end", expected_end=(today + timedelta(days=100)).isoformat()))
    await env.sleep(timedelta(days=200))
    await cases.execute(client, case_id, f.command(
        "articulate-needs", needs={**f.NEEDS, "needed_by": (today + timedelta(days=750)).isoformat()}))


async def sharing(client, case_id: str) -> None:
    """Need-to-know as case events (issue 13): a lead with its owner, shared with Oost NL, a location in
    NOM's region (sharing with NOM proposed: the patch propose-sharing), the share revoked; then an
    operator's assign-owner refused (the owner is recorded) and a share with the owner refused."""
    r = await cases.start(client, QUEUE, f.start(phase=1).model_copy(update={"owner": "bom"}), case_id)
    today = r.state.detected_at.date()
    await cases.execute(client, case_id, f.command(
        "share", share_with="oost-nl", purpose="grid consultation", until=(today + timedelta(days=90)).isoformat()))
    for cmd in f.happy_path(today, hotspot="groningen")[:3]:
        await cases.execute(client, case_id, cmd)
    await cases.execute(client, case_id, f.command("revoke-share", share_with="oost-nl", reason="not needed"))
    for refused in (f.command("assign-owner", owner="oost-nl", rule="x"),
                    f.command("share", share_with="bom", purpose="x", until=today.isoformat())):
        try:
            await cases.execute(client, case_id, refused)
        except Exception:  # noqa: BLE001 - refused by the validator: nothing reaches the history
            continue
        raise AssertionError(f"{refused.type} was not refused")


async def owner_assigned(client, case_id: str) -> None:
    """A case started as before owners were recorded, given its owner by an operator (OwnerAssigned)."""
    await cases.start(client, QUEUE, f.start(phase=1), case_id)
    await cases.execute(client, case_id, f.command(
        "assign-owner", owner="bom", rule="the ROM of the lead's home region, assigned to the cases started before"))
    await cases.execute(client, case_id, f.command("note", text="owner recorded", kind="other"))


async def signed(client, case_id: str) -> None:
    """Commands carrying their signed statements (issue 13: ``domain.signing``), as the API host and
    operators send them: the statements ride in the update's input and in every event recorded."""
    from datetime import UTC, datetime

    from domain.signing import Signed, statement_bytes, statement_for

    signer = Signer.generate()

    def sign(command, via="api"):
        command = command.model_copy(update={"command_id": f"{command.type}-{case_id}-{datetime.now(UTC):%H%M%S%f}"})
        statement = statement_for(command, case_id, datetime.now(UTC), via, signer.key_id)
        return command.model_copy(update={"signature": Signed(statement=statement,
                                                              signature=signer.sign(statement_bytes(statement)))})

    r = await cases.start(client, QUEUE, sign(f.start(phase=1).model_copy(update={"owner": "bom"}), "operator"),
                          case_id)
    await cases.execute(client, case_id, sign(f.command("note", text="a signed note", kind="call")))
    await cases.execute(client, case_id, sign(f.command("articulate-needs", needs=f.NEEDS)))
    await cases.execute(client, case_id, sign(f.command(
        "share", share_with="oost-nl", purpose="grid", until=r.state.detected_at.date().isoformat())))


async def record(env, out: Path, only: list[str] | None, suffix: str) -> None:
    runs = {
        "redelivery": lambda: redelivery(env, env.client, "lead-redelivery"),
        "resumed": lambda: resumed(env.client, "lead-resumed"),
        "happy-path": lambda: happy_path(env.client, "lead-happy-path"),
        "back-to-matchmaking": lambda: back_to_matchmaking(env.client, "lead-back-to-matchmaking"),
        "closed-and-reopened": lambda: closed_and_reopened(env.client, "lead-closed-and-reopened"),
        "continued-as-new": lambda: continued_as_new(env.client, "lead-continued-as-new"),
        "reminders": lambda: reminders(env, env.client, "lead-reminders"),
        "partial-update": lambda: partial_update(env.client, "lead-partial-update"),
        "note": lambda: note(env.client, "lead-note"),
        "corrected": lambda: corrected(env.client, "lead-corrected"),
        "demo": lambda: demo(env.client, "lead-demo"),
        "programme-facts": lambda: programme_facts(env.client, "lead-programme-facts"),
        "articulation-window": lambda: articulation_window(env, env.client, "lead-articulation-window"),
        "sharing": lambda: sharing(env.client, "lead-sharing"),
        "owner-assigned": lambda: owner_assigned(env.client, "lead-owner-assigned"),
        "signed": lambda: signed(env.client, "lead-signed"),
    }
    unknown = set(only or ()) - set(runs)
    if unknown:
        raise SystemExit(f"unknown case(s) {', '.join(sorted(unknown))}; known: {', '.join(runs)}")
    for name, run in runs.items():  # redelivery first: it takes the webhook's failing attempts
        if only and name not in only:
            continue
        await run()
        histories = await runs_of(env.client, f"lead-{name}")
        for stale in out.glob(f"{name}{suffix}.*.json"):
            stale.unlink()  # a case may now need fewer runs
        for n, history in enumerate(histories, start=1):
            (out / f"{name}{suffix}.{n}.json").write_text(history.to_json(), encoding="utf-8")
        print(f"{name}: {len(histories)} run(s), {sum(len(h.events) for h in histories)} events")


async def main(out: Path = HERE, only: list[str] | None = None, suffix: str = "") -> None:
    out.mkdir(parents=True, exist_ok=True)
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter, test_server_existing_path=test_server_path()
    )
    async with env:
        await register_search_attributes(env)
        with tempfile.TemporaryDirectory() as tmp, WebhookSink(fail_first=4) as hook:
            ledger = Ledger.open(f"sqlite:///{tmp}/ledger.db", upgrade=True)
            ledger.seed_hotspots()
            # a webhook whose first delivery round fails (4 attempts): the redelivery case
            async with build_worker(env.client, ledger, QUEUE, channels=Channels(webhook_url=hook.url),
                                    signer=Signer.generate()):
                await record(env, out, only, suffix)
            ledger.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="where to write (default: tests/histories)")
    parser.add_argument("--suffix", default="", help="file name suffix, e.g. -v3 for a new patch's recordings")
    parser.add_argument("names", nargs="*", metavar="NAME", help="record only these cases")
    args = parser.parse_args()
    asyncio.run(main(args.out, args.names, args.suffix))
