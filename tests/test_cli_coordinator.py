"""A coordinator's day in the CLI, end to end: the real ``brandpunt`` against a ``brandpunt dev``
(the ``dev`` fixture of ``tests/test_cli_e2e.py``): finding cases, reading one, recording what
happened, bringing in a pipeline, and the paths that once ended in a traceback.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
from datetime import UTC, datetime, timedelta

from cli.lead import CSV_COLUMNS
from tests.test_cli_e2e import BIN, SERIAL, dev  # noqa: F401 - `dev` is the fixture

LONG_NAME = "Koninklijke Nederlandse Fotonica- en Halfgeleiderfabriek Noord-Brabant BV"
LEAD = ["--region", "bom", "--hotspot", "brainport-eindhoven", "--domain", "photonics", "--type", "scaleup",
        "--phase", "1", "--contact-name", "A. de Vries"]


def start(dev, company: str, *extra: str) -> str:  # noqa: F811 - the fixture, passed in
    case = dev.json("lead", "start", "--company", company, *LEAD, *extra)["case_id"]
    assert SERIAL.fullmatch(case)
    return case


def refused(dev, *args: str) -> str:  # noqa: F811
    """Run a command that must be refused (exit 2, a message, no traceback); its stderr."""
    done = dev.run(*args, check=False)
    assert done.returncode == 2, (args, done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    return done.stderr


def into_closed_pipe(dev, *args: str) -> subprocess.CompletedProcess[str]:  # noqa: F811
    """``brandpunt ARGS | head -0``: standard output is a pipe whose reader has gone."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([str(BIN), *args], env=dev.env, stdout=write, stderr=subprocess.PIPE, text=True,
                              timeout=120)
    finally:
        os.close(write)


def test_list_has_a_header_full_names_coordinator_mine_csv_and_refuses_unknown_filters(dev):  # noqa: F811
    mine = start(dev, LONG_NAME, "--kvk", "87654321", "--coordinator", "E2E-Coordinator")
    anna = start(dev, 'Smit, "De Boer" & Zonen BV', "--coordinator", "Anna.Jansen@BOM.nl")
    nobody = start(dev, "Qubit Works BV")

    plain = dev.run("lead", "list").stdout.splitlines()
    assert plain[0].split() == ["CASE", "COMPANY", "STAGE", "PHASE", "REGION", "COORDINATOR"]
    assert LONG_NAME in plain[1] and plain[1].startswith(mine)  # the whole name: stdout is no terminal
    assert plain[-1] == "3 case(s)"

    def found(*args: str) -> list[str]:
        return [r["case_id"] for r in dev.json("lead", "list", *args)]

    assert found("--coordinator", "anna.jansen@bom.nl") == [anna]
    assert found("--coordinator", "ANNA.JANSEN@BOM.NL", "--company", "smit") == [anna]
    assert found("--coordinator", "anna") == []  # a coordinator, not a part of a name
    assert found("--mine") == [mine]  # BRANDPUNT_ACTOR is e2e-coordinator
    assert found("--mine", "--actor", "anna.jansen@bom.nl") == [anna]
    assert found("--company", "87654321") == [mine]
    no_actor = subprocess.run([str(BIN), "lead", "list", "--mine"], capture_output=True, text=True, timeout=120,
                              env={k: v for k, v in dev.env.items() if k != "BRANDPUNT_ACTOR"})
    assert no_actor.returncode == 2 and "--mine" in no_actor.stderr and "BRANDPUNT_ACTOR" in no_actor.stderr

    raw = subprocess.run([str(BIN), "lead", "list", "--csv"], env=dev.env, capture_output=True, timeout=120,
                         check=True).stdout  # bytes: text mode would turn CRLF into LF
    assert raw.count(b"\r\n") == 4 and b"\n" not in raw.replace(b"\r\n", b"")  # RFC 4180 line ends
    exported = raw.decode("utf-8")
    table = list(csv.reader(io.StringIO(exported, newline="")))
    assert table[0] == list(CSV_COLUMNS)
    rows = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    assert [r["case_id"] for r in rows] == [mine, anna, nobody]
    assert rows[1]["company"] == 'Smit, "De Boer" & Zonen BV'  # a comma and quotes survive
    assert (rows[0]["kvk"], rows[0]["coordinator"], rows[2]["coordinator"]) == ("87654321", "E2E-Coordinator", "")
    assert rows[0]["stage"] == "detection" and rows[0]["phase"] == "1"

    for args, needles in [
        (["--stage", "needs"], ["--stage", "unknown value 'needs'", "did you mean needs_articulation",
                                "valid: detection, needs_articulation, matchmaking"]),
        (["--stage", "Matchmaking"], ["did you mean matchmaking"]),
        (["--region", "atlantis"], ["--region", "valid: nom, oost-nl, bom"]),
        (["--region", "oost"], ["did you mean oost-nl"]),
        (["--coordinator", " "], ["--coordinator", "empty"]),
        (["--csv", "--json"], ["not allowed with"]),
        (["--mine", "--coordinator", "x"], ["not allowed with"]),
    ]:
        stderr = refused(dev, "lead", "list", *args)
        for needle in needles:
            assert needle in stderr, (needle, stderr)


def test_output_into_a_closed_pipe_ends_quietly(dev):  # noqa: F811
    case = start(dev, "Pipe Fitters BV")
    for args in (["lead", "show", case, "--json"], ["lead", "list"], ["lead", "list", "--csv"]):
        done = into_closed_pipe(dev, *args)
        assert (done.returncode, done.stderr) == (0, ""), (args, done.stderr)


def test_show_tells_the_case_propose_matches_prints_scores_and_the_inbox_says_due_in_7_days(dev):  # noqa: F811
    case = start(dev, "Photon Forge BV", "--kvk", "12345678", "--contact-email", "anna@example.org")
    dev.run("lead", "articulate-needs", case, "--m2", "3000", "--cleanroom-iso-class", "7", "--wo-fte", "10",
            "--grid-mva", "4", "--needed-by", "2030-01-01", "--reason", "intake 12 May")
    proposed = dev.run("lead", "propose-matches", case).stdout  # the README promises scores and reasons
    assert re.search(r"^  1\. [a-z-]+ \([a-z-]+\) score [01]\.\d\d, (not )?viable", proposed, re.M), proposed
    assert re.search(r"^       - space: [\d,]+ m² available", proposed, re.M), proposed
    dev.run("lead", "choose-location", case, "--hotspot", "twente", "--municipality", "Enschede")
    due = datetime.now(UTC).date() + timedelta(days=7)  # dates are UTC, as the workflow and the inbox see them
    dev.run("lead", "request-consultation", case, "--party", "grid_operator", "--subject", "4 MVA",
            "--due", due.isoformat())
    dev.run("lead", "update", case, "--coordinator", "e2e-coordinator", "--contact-phone", "+31 6 1234 5678",
            "--reason", "taking the case over")

    inbox = dev.run("reminders", "due").stdout  # the consultation's early reminder has gone out ...
    mine = [line for line in inbox.splitlines() if case in line]
    assert mine and all("overdue" not in line.lower() for line in mine), inbox  # ... it is not late
    today = datetime.now(UTC).date()
    assert any(line.startswith(f"due in {(due - today).days} days") for line in mine), inbox

    shown = dev.run("lead", "show", case).stdout
    head, rest = shown.split("\nTimeline\n")
    for needle in [f"{case}  Photon Forge BV  (KvK 12345678)", "stage        consultation since",
                   "scaleup, venture phase 1, photonics", "region       bom (nearest hotspot brainport-eindhoven)",
                   "coordinator  e2e-coordinator", "contact      A. de Vries <anna@example.org> +31 6 1234 5678",
                   "Needs (needed by 2030-01-01)", "space: 3,000 m², cleanroom ISO 7", "energy: 4 MVA",
                   "Proposals (best first)", "Chosen location\n  twente, Enschede (oost-nl)",
                   f"C1  grid_operator  due {due}  4 MVA  ->  open, no answer yet", "Open reminders"]:
        assert needle in head, (needle, head)
    assert re.search(r"^  1\. [a-z-]+ \([a-z-]+\) score [01]\.\d\d", head, re.M)
    assert re.search(rf"^  due in {(due - today).days} days +{re.escape('Photon Forge BV: consultation C1')}", head,
                     re.M), head
    timeline = rest.splitlines()
    assert timeline[0].startswith("  #1 ") and "e2e-coordinator, NFIA  lead detected: Photon Forge BV" in timeline[0]
    assert "         why: intake 12 May" in timeline
    update = next(i for i, line in enumerate(timeline) if line.endswith("lead updated"))
    assert timeline[update + 1:update + 4] == [
        "         coordinator: (none) → e2e-coordinator",
        "         contact.phone: (none) → +31 6 1234 5678",
        "         why: taking the case over",
    ]
    assert any(f"consultation C1 asked of the grid_operator: 4 MVA; answer due {due}" in line for line in timeline)

    data = dev.json("lead", "show", case)  # --json: the shape it had, plus reminders and the timeline
    assert {"case_id", "state", "events", "stage", "coordinator"} <= set(data)
    assert [e["seq"] for e in data["events"]] == [t["seq"] for t in data["timeline"]] == list(
        range(1, data["last_seq"] + 1))
    assert any(r["label"].startswith("due in") and r["deadline"] == due.isoformat() for r in data["reminders"])
    changed = next(t for t in data["timeline"] if t["type"] == "LeadUpdated")["changes"]
    assert {"field": "coordinator", "old": None, "new": "e2e-coordinator"} in changed
