"""A coordinator's day in the CLI, end to end: the real ``brandpunt`` against a ``brandpunt dev``
(the ``dev`` fixture of ``tests/test_cli_e2e.py``): finding cases, reading one, recording what
happened, bringing in a pipeline, and the paths that once ended in a traceback.
"""

from __future__ import annotations

import csv
import io
import json
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
    nobody = start(dev, "Qubit Works BV", "--demo")  # a training case: shown, and marked

    plain = dev.run("lead", "list").stdout.splitlines()
    assert plain[0].split() == ["CASE", "COMPANY", "STAGE", "PHASE", "REGION", "COORDINATOR"]
    assert LONG_NAME in plain[1] and plain[1].startswith(mine)  # the whole name: stdout is no terminal
    assert plain[-1] == "3 case(s)"
    assert plain[3].startswith(f"{nobody}  Qubit Works BV [demo]") and "[demo]" not in plain[1] + plain[2]

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
    assert [r["demo"] for r in rows] == ["false", "false", "true"]

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


def test_paths_that_ended_in_a_traceback_end_in_a_clear_message(dev, tmp_path):  # noqa: F811
    case = start(dev, "Pipe Fitters BV")
    for args in (["lead", "show", case, "--json"], ["lead", "show", case], ["lead", "list"],
                 ["lead", "list", "--csv"], ["reminders", "due"]):
        done = into_closed_pipe(dev, *args)  # `brandpunt lead show --json | head -1`
        assert (done.returncode, done.stderr) == (0, ""), (args, done.stderr)

    missing = tmp_path / "no-such-folder" / "report.md"
    for args, needles in [
        (["report", "impact", "--period", "2026", "--out", str(missing)],
         ["--out", str(missing), f"the folder {missing.parent} does not exist"]),
        (["report", "impact", "--period", "2026", "--out", str(tmp_path)], ["--out", "is a folder"]),
        (["audit", "dossier", case, "--out", str(BIN)], ["--out", "a file is in the way"]),
        (["keys", "export-public", "--out", str(missing)], ["--out", "does not exist"]),
        (["reminders", "due", "--within", "100000000"], ["--within", "0 to 3660"]),
        (["reminders", "due", "--within", "-5"], ["--within"]),
        (["lead", "change-phase", case, "--phase", "2", "--timeout", "nan"], ["--timeout", "more than 0"]),
        (["lead", "change-phase", case, "--phase", "2", "--timeout", "0"], ["--timeout", "more than 0"]),
        (["lead", "import", str(tmp_path)], ["a folder, not a file"]),
        (["lead", "articulate-needs", case, "--file", str(tmp_path)], ["--file", "a folder, not a file"]),
    ]:
        stderr = refused(dev, *args)
        for needle in needles:
            assert needle in stderr, (args, needle, stderr)
    assert not missing.parent.exists()
    assert dev.json("lead", "show", case)["last_seq"] == 1  # nothing was recorded on the way

    unmakeable = subprocess.run([str(BIN), "lead", "list"], capture_output=True, text=True, timeout=120,
                                env={**dev.env, "BRANDPUNT_LEDGER_URL": f"sqlite:///{BIN}/ledger.db"})
    assert unmakeable.returncode == 1 and "Traceback" not in unmakeable.stderr, unmakeable.stderr
    assert unmakeable.stderr.startswith("brandpunt: ") and str(BIN) in unmakeable.stderr


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


def test_file_holds_flag_names_a_duplicate_is_warned_and_a_pipeline_is_imported(dev, tmp_path):  # noqa: F811
    def file(name: str, data: object) -> str:
        (tmp_path / name).write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
        return str(tmp_path / name)

    lead = {"company": "Photon Forge BV", "kvk": "12345678", "region": "bom", "hotspot": "brainport-eindhoven",
            "domain": "photonics", "type": "scaleup", "phase": 1, "contact-name": "Anna de Vries",
            "contact-email": "anna@example.org", "reason": "met at the fair"}
    first = dev.json("lead", "start", "--file", file("lead.json", lead))
    case = first["case_id"]
    recorded = first["events"][0]
    assert (recorded["lead"]["home_region"], recorded["lead"]["contact"]["email"], recorded["reason"]) == (
        "bom", "anna@example.org", "met at the fair")
    dev.run("lead", "articulate-needs", case, "--file", file("needs.json", {"m2": 800, "needed-by": "2030-01-01"}),
            "--wo-fte", "4")  # the file and the flags together
    assert dev.json("lead", "show", case)["state"]["needs"]["space"]["m2"] == 800

    old_lead = {"company": "X", "home_region": "bom", "hotspot": "twente", "technology_domain": "quantum",
                "company_type": "startup", "phase": 1, "contact": {"name": "x"}}
    stderr = refused(dev, "lead", "start", "--file", file("old.json", old_lead))
    for needle in ["'home_region' (use region)", "'technology_domain' (use domain)", "'company_type' (use type)",
                   "'contact' (use contact-name, contact-email, contact-phone)",
                   "A --file for `lead start` holds its flags by name: case-id, company, kvk, region"]:
        assert needle in stderr, (needle, stderr)
    stderr = refused(dev, "lead", "articulate-needs", case, "--file",
                     file("oldneeds.json", {"space": {"m2": 3}, "needed_by": "2030-01-01"}))
    assert "'space' (use m2, cleanroom-iso-class" in stderr and "'needed_by' (use needed-by)" in stderr
    assert [r["case_id"] for r in dev.json("lead", "list")] == [case]  # refused: nothing recorded

    same_name = dev.run("lead", "start", "--company", "photon forge bv", *LEAD)  # a warning, not a refusal
    second = SERIAL.search(same_name.stdout).group(0)
    assert f"brandpunt: warning: {second} has the company name or KvK number of {case}" in same_name.stderr
    assert "Photon" not in same_name.stderr and "photon" not in same_name.stderr  # case ids only
    same_kvk = dev.run("lead", "start", "--company", "Forge Holding BV", "--kvk", "12345678", *LEAD)
    assert f"has the company name or KvK number of {case} (the same company?)" in same_kvk.stderr
    other = dev.run("lead", "start", "--company", "Unrelated BV", *LEAD)
    assert "warning" not in other.stderr
    before = dev.json("lead", "list")

    header = "company,kvk,region,hotspot,domain,type,phase,coordinator,contact-name,contact-email,contact-phone"
    bad = file("bad.csv", "\r\n".join([
        header,
        "Wafer Union BV,,nom,groningen,semiconductors,scaleup,2,,W. Bakker,,",
        "Atlantis BV,123,atlantis,twente,quantum,startup,one,,x,,",
        "Nameless BV,,bom,twente,quantum,startup,2,,,not-an-address,",
    ]) + "\r\n")
    for args in (["--dry-run"], []):
        done = dev.run("lead", "import", bad, *args, check=False)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        lines = done.stderr.splitlines()
        for needle in ["row 3, column kvk:", "row 3, column region:", "row 3, column phase:",
                       "row 4, column contact-name: Field required", "row 4, column contact-email:"]:
            assert any(line.startswith(needle) for line in lines), (needle, done.stderr)
        assert "5 problem(s) in 2 row(s)" in done.stderr
        assert not any(line.startswith("row 2") for line in lines)  # the good row has no problem
    assert dev.json("lead", "list") == before  # nothing written, the good row neither

    good = file("pipeline.csv", "\r\n".join([
        header,
        "Wafer Union BV,,nom,groningen,semiconductors,scaleup,2,w@nom.nl,W. Bakker,,",
        "Photon Forge Holding,12345678,bom,brainport-eindhoven,photonics,scaleup,2,,A,,",  # KvK of `case`
        '"Smit, De Boer & Zonen BV",87654321,oost-nl,twente,mechatronics,grownup,3,,P. Smit,,+31 53 765 4321',
        "wafer union bv,,nom,groningen,semiconductors,scaleup,2,,W. Bakker,,",  # row 2 again
    ]) + "\r\n")
    dry = dev.run("lead", "import", good, "--dry-run").stdout
    assert "row 2: would start Wafer Union BV" in dry and "row 4: would start Smit, De Boer & Zonen BV" in dry
    assert f"row 3: would skip: Photon Forge Holding exists already as {case}" in dry
    assert "row 5: would skip: the same company as row 2" in dry
    assert dev.json("lead", "list") == before  # a dry run writes nothing
    done = dev.run("lead", "import", good).stdout
    started = dict(re.findall(r"^row (\d+): (BP-\d{4}-\d+) started", done, re.M))
    assert sorted(started) == ["2", "4"], done
    assert f"row 3: skipped: Photon Forge Holding exists already as {case}" in done
    assert "pipeline.csv: 2 started, 2 skipped" in done
    imported = dev.json("lead", "show", started["4"])
    assert imported["company"] == "Smit, De Boer & Zonen BV" and imported["phase"] == 3
    detected = imported["events"][0]
    assert detected["event"]["source"] == "import:pipeline.csv#row 4" and detected["actor"] == "e2e-coordinator"
    assert imported["state"]["source"] == "import:pipeline.csv#row 4"
    assert "  source       import:pipeline.csv#row 4" in dev.run("lead", "show", started["4"]).stdout
    again = dev.run("lead", "import", good).stdout  # safe to run again: nothing twice
    assert f"row 2: skipped: imported before as {started['2']}" in again
    assert "pipeline.csv: 0 started, 4 skipped" in again
    assert len(dev.json("lead", "list")) == len(before) + 2


def test_notes_partial_updates_corrections_and_a_past_needed_by(dev):  # noqa: F811
    case = start(dev, "Grid Hungry BV", "--coordinator", "anna@oost.nl")
    stderr = refused(dev, "lead", "update", case, "--reason", "met them")  # nothing to change: a note is for that
    assert "lead note" in stderr
    noted = dev.json("lead", "note", case, "--text", "Met the CFO: 30 MVA by 2028", "--kind", "meeting",
                     "--reason", "site visit")
    assert noted["events"][0]["type"] == "NoteRecorded" and noted["stage"] == "detection"  # no stage moves
    assert "--text" in refused(dev, "lead", "note", case)
    assert "--kind" in refused(dev, "lead", "note", case, "--text", "x", "--kind", "letter")

    first = dev.json("lead", "update", case, "--contact-phone", "+31 6 1", "--reason", "new number")["events"][0]
    assert first["changes"] == [{"field": "contact.phone", "old": None, "new": "+31 6 1"}]  # only the field given
    second = dev.json("lead", "update", case, "--coordinator", "piet@oost.nl")["events"][0]
    assert second["changes"] == [{"field": "coordinator", "old": "anna@oost.nl", "new": "piet@oost.nl"}]
    lead = dev.json("lead", "show", case)["state"]["lead"]
    assert (lead["contact"]["phone"], lead["coordinator"], lead["contact"]["name"]) == (
        "+31 6 1", "piet@oost.nl", "A. de Vries")
    assert "[rule no-change]" in refused(dev, "lead", "update", case, "--coordinator", "piet@oost.nl")

    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    stderr = refused(dev, "lead", "articulate-needs", case, "--grid-mva", "30", "--needed-by", yesterday)
    assert "needs.needed_by" in stderr and "in the past" in stderr, stderr
    assert dev.json("lead", "show", case)["stage"] == "detection"  # refused: nothing recorded

    later = (datetime.now(UTC).date() + timedelta(days=90)).isoformat()
    dev.run("lead", "articulate-needs", case, "--grid-mva", "3", "--needed-by", later)
    dev.run("lead", "propose-matches", case)
    dev.run("lead", "choose-location", case, "--hotspot", "twente")
    dev.run("lead", "request-consultation", case, "--party", "grid_operator", "--subject", "3 MVA", "--due", later)
    dev.run("lead", "answer-consultation", case, "--consultation", "C1", "--verdict", "positive", "--answer", "ok")
    dev.run("lead", "start-realisation", case)
    dev.run("lead", "realise", case, "--investment-eur", "40000000", "--jobs", "120",
            "--counterfactual", "would_have_gone_abroad")  # a scale-up already: no new one (derived)
    stderr = refused(dev, "lead", "correct-realisation", case, "--investment-eur", "4000000")
    assert "reason (--reason)" in stderr, stderr  # a correction says why
    assert "at least one" in refused(dev, "lead", "correct-realisation", case, "--reason", "typo")
    corrected = dev.json("lead", "correct-realisation", case, "--investment-eur", "4000000", "--new-scaleup",
                         "--reason", "typo: one zero too many")
    assert corrected["events"][0]["changes"] == [
        {"field": "investment_eur", "old": 40_000_000, "new": 4_000_000},
        {"field": "new_scaleup", "old": False, "new": True}]
    dev.run("lead", "note", case, "--text", "Opening ceremony on 1 June", "--kind", "email")  # closed: still noted

    shown = dev.run("lead", "show", case).stdout
    assert ("Realisation\n  at twente (oost-nl): EUR 4,000,000, 120 jobs, a new scale-up\n"
            "  counterfactual: would_have_gone_abroad\n  corrected ") in shown, shown
    assert ("investment_eur: 40000000 → 4000000; new_scaleup: False → True (why: typo: one zero too many)"
            in shown)
    assert "  notes        2, the last " in shown
    for line in ["note (meeting): Met the CFO: 30 MVA by 2028", "note (email): Opening ceremony on 1 June",
                 "contact.phone: (none) → +31 6 1", "coordinator: anna@oost.nl → piet@oost.nl", "why: site visit"]:
        assert line in shown, (line, shown)
    assert dev.run("audit", "verify", case).returncode == 0


def test_the_articulation_reminder_says_the_phase_the_lead_is_in(dev):  # noqa: F811
    """A lead that starts in phase 3 was never told it "reached venture phase 2" (issue 12); since
    issue 14 the reminder falls before the end of phase 2 and says what that end rests on."""
    in_three = start(dev, "Late Phase BV", "--phase", "3", "--coordinator", "e2e-coordinator")
    in_two = start(dev, "Phase Two BV", "--phase", "2", "--coordinator", "e2e-coordinator")
    items = dev.json("reminders", "due", "--within", "3660")
    subjects = {i["case_id"]: i["subject"] for i in items if i["rule"] == "articulation"}
    assert set(subjects) >= {in_three, in_two}, items
    assert "reached venture phase 2" not in " ".join(subjects.values())
    assert "Late Phase BV is past venture phase 2 (phase 3 since " in subjects[in_three]
    assert "Phase Two BV nears the end of venture phase 2 (typical length " in subjects[in_two]
