"""End to end through the real ``brandpunt`` command against a real dev server (``brandpunt dev``).

These tests run the console script in subprocesses, exactly as a coordinator would, and read
back through ``lead list/show --json`` and the ``temporal`` CLI.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from devserver import temporal_cli
from settings import DEV_API_PORT_OFFSET

BIN = Path(sys.executable).parent / "brandpunt"
SERIAL = re.compile(r"BP-\d{4}-\d{4,}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dev:
    """A ``brandpunt dev`` process on its own ports and home directory."""

    def __init__(self, home: Path, ledger_url: str) -> None:
        self.home = home
        self.env = {
            **os.environ,
            "BRANDPUNT_HOME": str(home),
            "BRANDPUNT_ACTOR": "e2e-coordinator",
            "BRANDPUNT_ORGANISATION": "NFIA",
        }
        self._choose_ports()
        if ledger_url.startswith("sqlite"):  # the embedded default: the ledger in BRANDPUNT_HOME
            self.env.pop("BRANDPUNT_LEDGER_URL", None)
        else:
            self.env["BRANDPUNT_LEDGER_URL"] = ledger_url
        self.proc: subprocess.Popen[str] | None = None
        self.output: list[str] = []  # everything the dev process printed

    def _choose_ports(self) -> None:
        """Temporal's port P, its UI at P + 1000 and the API at P + 767, all free now and all below
        the kernel's ephemeral range: a port the kernel hands out (to a client socket or to a server
        asked for "any free port", such as the dev server's own internal services) can never be one of
        them, so nothing can take one between this check and ``brandpunt dev`` binding it."""
        low, _ = _ephemeral_range()
        top = low - 1000 if low > 12_000 else 30_000  # an unusual range: at least stay off the common ports
        while True:
            port = random.randrange(10_000, top)
            if all(_free(p) for p in (port, port + DEV_API_PORT_OFFSET, port + 1000)):
                break
        self.address = f"127.0.0.1:{port}"
        self.api_url = f"http://127.0.0.1:{port + DEV_API_PORT_OFFSET}"  # the API `brandpunt dev` serves
        self.env["TEMPORAL_ADDRESS"] = self.address

    def start(self, attempts: int = 3) -> None:
        """Start ``brandpunt dev`` and wait for its banner. When it could not listen (another
        process took a port after all), choose other ports and try again, up to ``attempts`` times;
        any other exit fails at once with everything it printed."""
        for attempt in range(attempts):
            self.proc = subprocess.Popen(
                [str(BIN), "dev"], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            assert self.proc.stdout is not None
            printed: list[str] = []
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                line = self.proc.stdout.readline()
                printed.append(line)
                self.output.append(line)
                if "Ctrl-C stops" in line:
                    threading.Thread(target=self._drain, args=(self.proc.stdout,), daemon=True).start()
                    return
                if not line and self.proc.poll() is not None:
                    break
            else:
                self.proc.kill()
                raise AssertionError("brandpunt dev did not come up in 60 s; it printed:\n" + "".join(printed))
            said = "".join(printed)
            self.proc = None
            if "already in use" not in said or attempt == attempts - 1:
                raise AssertionError(f"brandpunt dev exited (attempt {attempt + 1}); it printed:\n{said}")
            self._choose_ports()

    def _drain(self, stream) -> None:
        """Keep reading what ``brandpunt dev`` prints (its worker's log lines): kept in ``output``
        and passed on to this process's stdout, so test.sh's log holds it (and the pipe never fills)."""
        for line in stream:
            self.output.append(line)
            sys.stdout.write(line)

    def stop(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=60)
        self.proc = None
        return code

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([str(BIN), *args], env=self.env, capture_output=True, text=True, timeout=120)
        sys.stdout.write(done.stdout)  # into the test run's log too (test.sh greps it for secrets)
        sys.stderr.write(done.stderr)
        if check and done.returncode != 0:
            raise AssertionError(f"brandpunt {' '.join(args)} -> {done.returncode}\n{done.stderr}")
        return done

    def json(self, *args: str) -> object:
        return json.loads(self.run(*args, "--json").stdout)

    async def workflow_state(self, case_id: str):
        """The workflow's own ``state`` query (not the ledger), through the SDK and its converter."""
        import settings
        from client import temporal as cases
        from client.connection import connect

        return await cases.state(await connect(settings.load(self.env)), case_id)

    def temporal(self, *args: str) -> str:
        done = subprocess.run(
            [temporal_cli(), *args, "--address", self.address],
            capture_output=True, text=True, timeout=60, check=True,
        )
        return done.stdout


def _ephemeral_range() -> tuple[int, int]:
    """The ports the kernel hands out for "any free port" (Linux: 32768-60999 by default)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.fixture
def dev(tmp_path, case_ledger_url):
    d = Dev(tmp_path / "home", case_ledger_url)
    d.start()
    yield d
    if d.proc is not None:  # stop cleanly, so the dev server it started goes down with it
        d.proc.send_signal(signal.SIGINT)
        try:
            d.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            d.proc.kill()
            d.proc.wait()


async def test_demo_runs_five_cases_and_temporal_finds_them_by_stage(dev):
    """The programme's five cases end as it tells them: 1 and 2 open (it leaves them open), 3 and 5
    left abroad (talent; the grid), 4 realised in another region; every match reason cites the
    (illustrative) offer version it was scored against."""
    rows = dev.json("demo")
    assert [(r["slug"], r["stage"], r["outcome"], r["bottleneck"], r["offers_illustrative"]) for r in rows] == [
        ("maritime-manufacturer", "matchmaking", None, None, True),
        ("microchip-scaleup", "matchmaking", None, None, True),
        ("flow-meter-maker", "closed", "left_abroad", "talent", True),
        ("energy-storage-scaleup", "closed", "realised_other_region", None, True),
        ("multinational-rd-facility", "closed", "left_abroad", "energy", True),
    ]
    listed = {r["case_id"]: r for r in dev.json("lead", "list")}
    for r in rows:
        assert listed[r["case_id"]]["outcome"] == r["outcome"]
    all_cases = dev.temporal("workflow", "list", "--query", "WorkflowType='LeadCaseWorkflow'", "-o", "json")
    assert sum(r["case_id"] in all_cases for r in rows) == 5
    closed = dev.temporal("workflow", "list", "--query", "Stage='closed'", "-o", "json")
    assert sum(r["case_id"] in closed for r in rows) == 3
    in_matchmaking = dev.temporal("workflow", "list", "--query", "Stage='matchmaking'", "-o", "json")
    assert sum(r["case_id"] in in_matchmaking for r in rows) == 2
    versions = {o["version"] for o in dev.json("offers", "list")["offers"]}
    cited = 0
    for r in rows:
        for e in dev.json("lead", "show", r["case_id"])["events"]:
            for p in e["event"].get("proposals", []):
                assert p["offer_version"] in versions and p["illustrative"] is True
                assert p["reasons"]
                assert all(p["offer_version"] in reason and "illustrative" in reason for reason in p["reasons"])
                cited += 1
    assert cited == 5 * 6  # each case proposed all six hotspots once
    assert all(SERIAL.fullmatch(r["case_id"]) for r in rows)  # ids from the ledger, naming nobody
    verified = dev.run("audit", "verify", "--all")
    assert "OK: 5 case(s)" in verified.stdout
    replayed = dev.run("audit", "replay", "--all")
    assert "5 of 5 histories replay" in replayed.stdout, replayed.stdout
    for r in rows:  # the fold of the ledger equals the workflow's own state query
        shown = dev.json("lead", "show", r["case_id"])
        assert [e["seq"] for e in shown["events"]] == list(range(1, shown["last_seq"] + 1))
        assert shown["events"][0]["prev_hash"] == "0" * 64
        from domain.events import parse_event
        from domain.state import fold

        folded = fold(parse_event(e["event"]) for e in shown["events"])
        assert folded.model_dump(mode="json") == shown["state"]
        assert folded == await dev.workflow_state(r["case_id"])

    # demo data never counts: the impact report over the demo plus one real case counts one lead
    dev.run("lead", "start", "--company", "Real Photonics BV", "--region", "bom", "--hotspot",
            "brainport-eindhoven", "--domain", "photonics", "--type", "scaleup", "--phase", "1",
            "--contact-name", "R. Jansen")

    def leads(*flags: str) -> tuple[int, dict[str, object]]:
        report = json.loads(dev.run("report", "impact", "--period", "2025-2028", "--format", "json", *flags).stdout)
        return next(i["value"] for i in report["indicators"] if i["key"] == "leads"), report["demo"]

    assert leads() == (1, {"included": False, "cases": 5})
    assert leads("--include-demo") == (6, {"included": True, "cases": 5})
    header = dev.run("report", "impact", "--period", "2025-2028").stdout
    assert "demo cases excluded: 5" in header

    # issue 16: Temporal's database and brandpunt's own logs hold no company's name and no person's
    from demo import scripts

    secret = [v for script in scripts() for v in (script["lead"]["company"], script["lead"]["contact"]["name"],
                                                  script["lead"]["contact"].get("email")) if v]
    secret += ["Real Photonics BV", "R. Jansen"]
    stored = b"".join(p.read_bytes() for p in dev.home.glob("temporal.db*"))
    assert {s: stored.count(s.encode()) for s in secret} == dict.fromkeys(secret, 0)
    logged = "".join(dev.output)
    assert logged and [s for s in secret if s in logged] == []


def test_coordinator_walkthrough_and_refusals_record_nothing(dev):
    start = dev.json(
        "lead", "start", "--company", "Qubit Works BV", "--region", "innovationquarter",
        "--hotspot", "zuidvleugel", "--domain", "quantum", "--type", "startup", "--phase", "1",
        "--contact-name", "Q. de Boer",
    )  # phase 1: no reminder is owed, so the ledger holds exactly what the coordinator did
    case = start["case_id"]
    assert SERIAL.fullmatch(case) and start["stage"] == "detection"
    assert start["events"][0]["actor"] == "e2e-coordinator"

    refused = [
        (["lead", "start-realisation", case], "wrong-stage"),
        (["lead", "propose-matches", case], "allowed in: needs_articulation"),
        (["lead", "articulate-needs", case, "--needed-by", "2028-01-01"], "at least one kind"),
        (["lead", "start", "--company", "X", "--region", "atlantis", "--hotspot", "twente",
          "--domain", "quantum", "--type", "startup", "--phase", "2", "--contact-name", "x"], "--region"),
        (["lead", "start", "--company", "Y", "--region", "nom", "--hotspot", "groningen",
          "--domain", "quantum", "--type", "startup", "--phase", "7", "--contact-name", "y"], "lead.phase"),
        (["lead", "change-phase", "lead-nope", "--phase", "3"], "no case lead-nope"),
    ]
    for args, needle in refused:
        done = dev.run(*args, check=False)
        assert done.returncode == 2, (args, done.stderr)
        assert needle in done.stderr, (needle, done.stderr)
    history = dev.temporal("workflow", "show", "--workflow-id", case, "-o", "json")
    assert history.count("workflowExecutionUpdateAcceptedEventAttributes") == 1  # only the start
    assert len(dev.json("lead", "show", case)["events"]) == 1

    dev.run("lead", "articulate-needs", case, "--m2", "800", "--cleanroom-iso-class", "5",
            "--wo-fte", "12", "--grid-mva", "2", "--needed-by", "2028-06-01", "--reason", "intake")
    proposed = dev.json("lead", "propose-matches", case)
    assert proposed["stage"] == "matchmaking"
    assert proposed["events"][0]["proposals"][0]["reasons"]
    dev.run("lead", "choose-location", case, "--hotspot", "twente")
    assert "Stage" in dev.temporal("workflow", "describe", "--workflow-id", case)
    listed = dev.json("lead", "list", "--stage", "matchmaking")
    assert [r["case_id"] for r in listed] == [case]
    no_actor = subprocess.run(
        [str(BIN), "lead", "change-phase", case, "--phase", "3"],
        env={k: v for k, v in dev.env.items() if k != "BRANDPUNT_ACTOR"},
        capture_output=True, text=True, timeout=60,
    )
    assert no_actor.returncode == 2 and "actor" in no_actor.stderr


async def test_restart_of_dev_keeps_every_case(dev):
    case = dev.json(
        "lead", "start", "--company", "Restart Robotics", "--region", "nom", "--hotspot", "groningen",
        "--domain", "mechatronics", "--type", "scaleup", "--phase", "3", "--contact-name", "R",
    )["case_id"]
    dev.run("lead", "articulate-needs", case, "--m2", "500", "--needed-by", "2028-01-01")
    before, state_before = dev.json("lead", "show", case), await dev.workflow_state(case)
    assert dev.stop() == 0
    dev.start()
    after = dev.json("lead", "show", case)
    assert after == before
    assert await dev.workflow_state(case) == state_before  # Temporal kept the case too
    dev.run("lead", "propose-matches", case)
    assert dev.json("lead", "show", case)["stage"] == "matchmaking"


def test_unreachable_server_is_exit_1_with_how_to_start(tmp_path):
    env = {**os.environ, "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}", "BRANDPUNT_ACTOR": "x",
           "BRANDPUNT_HOME": str(tmp_path)}
    done = subprocess.run([str(BIN), "lead", "change-phase", "lead-x", "--phase", "3"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "brandpunt dev" in done.stderr


def test_every_other_action_from_flags_and_files(dev, tmp_path):
    """The actions the walk-through above does not use, each from its flags (and start from a file)."""
    lead = {"company": "Grid Hungry BV", "region": "oost-nl", "hotspot": "twente",
            "domain": "energy-materials", "type": "scaleup", "phase": 1, "contact-name": "G. Veld"}
    (tmp_path / "lead.json").write_text(json.dumps(lead))
    case = dev.json("lead", "start", "--file", str(tmp_path / "lead.json"))["case_id"]
    assert SERIAL.fullmatch(case)
    updated = dev.json("lead", "update", case, "--coordinator", "g.veld@oost.nl", "--reason", "new coordinator")
    assert updated["events"][0]["type"] == "LeadUpdated"
    assert updated["events"][0]["lead"]["coordinator"] == "g.veld@oost.nl"
    assert updated["events"][0]["lead"]["company"] == "Grid Hungry BV"  # the other facts are kept
    dev.run("lead", "articulate-needs", case, "--grid-mva", "30", "--needed-by", "2027-06-01")
    dev.run("lead", "propose-matches", case)
    dev.run("lead", "choose-location", case, "--hotspot", "groningen", "--municipality", "Groningen")
    asked = dev.json("lead", "request-consultation", case, "--party", "grid_operator",
                     "--subject", "30 MVA by 2027", "--due", "2099-01-01")
    assert asked["stage"] == "consultation" and asked["events"][0]["consultation_id"] == "C1"
    answered = dev.json("lead", "answer-consultation", case, "--consultation", "C1", "--verdict", "negative",
                        "--answer", "no capacity before 2031")
    assert answered["stage"] == "matchmaking"  # a failed consultation goes back to matchmaking
    closed = dev.json("lead", "close", case, "--outcome", "no_proposition_possible", "--bottleneck", "energy",
                      "--reason", "no grid anywhere in time")
    assert (closed["stage"], closed["outcome"], closed["bottleneck"]) == ("closed", "no_proposition_possible", "energy")
    no_bottleneck = dev.run("lead", "close", case, "--outcome", "no_proposition_possible", check=False)
    assert no_bottleneck.returncode == 2  # closed already, and the bottleneck is missing: refused either way
    reopened = dev.json("lead", "reopen", case, "--reason", "new substation announced")
    assert reopened["stage"] == "matchmaking" and reopened["outcome"] is None
    dev.run("lead", "choose-location", case, "--hotspot", "twente")
    dev.run("lead", "request-consultation", case, "--party", "municipality", "--subject", "zoning",
            "--due", "2099-01-01")
    dev.run("lead", "answer-consultation", case, "--consultation", "C2", "--verdict", "positive", "--answer", "ok")
    dev.run("lead", "start-realisation", case)
    realised = dev.json("lead", "realise", case, "--investment-eur", "40000000", "--jobs", "120",
                        "--counterfactual", "would_have_gone_abroad", "--not-at-current-site")
    assert (realised["outcome"], realised["destination"]) == ("realised_own_region", "twente")  # Twente is Oost NL
    shown = dev.json("lead", "show", case)
    assert [e["seq"] for e in shown["events"]] == list(range(1, 16))
    # Groningen lies in NOM's region: the owner (Oost NL) is asked to share with NOM; Twente is its own
    assert [e["event"]["region"] for e in shown["events"] if e["type"] == "SharingProposed"] == ["nom"]
    assert dev.run("audit", "verify", case).returncode == 0
    upgraded = dev.run("db", "upgrade")  # idempotent on a running system
    assert "schema up to date" in upgraded.stdout


def test_case_ids_name_nobody_inputs_are_bounded_and_cases_are_found_by_company(dev, tmp_path):
    """Serial ids from the ledger; every bound refused with exit 2 and nothing recorded; --company."""
    company = "Photon Forge BV"
    started = dev.json(
        "lead", "start", "--company", company, "--kvk", "12345678", "--region", "bom",
        "--hotspot", "brainport-eindhoven", "--domain", "photonics", "--type", "scaleup", "--phase", "1",
        "--contact-name", "Anna de Vries", "--contact-email", "anna@example.org",
    )
    case = started["case_id"]
    assert SERIAL.fullmatch(case), case
    for token in re.split(r"\W+", company.lower()):  # no part of the name in the id, Temporal or the UI
        assert token not in case.lower(), (token, case)
    described = dev.temporal("workflow", "describe", "--workflow-id", case, "-o", "json")
    assert case in described and "photon" not in json.loads(described)["workflowExecutionInfo"]["execution"]["workflowId"].lower()
    plain = dev.run("lead", "start", "--company", "Second Light BV", "--region", "bom", "--hotspot",
                    "brainport-eindhoven", "--domain", "photonics", "--type", "startup", "--phase", "1",
                    "--contact-name", "B")
    second = re.search(r"^case (BP-\d{4}-\d{4,}) started", plain.stdout, re.M)
    assert second, plain.stdout  # the id stands on the first line of the plain output
    assert int(second.group(1).rsplit("-", 1)[1]) == int(case.rsplit("-", 1)[1]) + 1

    def ledger_state() -> tuple[list[str], int]:
        listed = dev.json("lead", "list")
        return [r["case_id"] for r in listed], len(dev.json("lead", "show", case)["events"])

    before = ledger_state()
    assert before == ([case, second.group(1)], 1)

    def file(name: str, data: object) -> str:
        path = tmp_path / name
        path.write_text(json.dumps(data), encoding="utf-8")
        return str(path)

    lead = {"company": "Big Mail BV", "region": "bom", "hotspot": "twente", "domain": "quantum",
            "type": "startup", "phase": 1, "contact-name": "M"}
    big_email = "a" * 1_500_000 + "@example.org"
    needs = ["--needed-by", "2028-01-01"]
    refused = [
        (["lead", "start", "--file", file("big.json", {**lead, "contact-email": big_email})],
         ["1,500,", "at most 65,536 bytes"]),
        (["lead", "start", "--file", file("long.json", {**lead, "contact-email": "a" * 250 + "@x.nl"})],
         ["contact.email", "at most 254 characters"]),
        (["lead", "start", "--file", file("p.json", {**lead, "phase": "1"})], ["phase", "valid integer"]),
        (["lead", "start", "--file", file("t.json", {**lead, "phase": True})], ["phase", "valid integer"]),
        (["lead", "start", "--company", "X", "--region", "bom", "--hotspot", "twente", "--domain", "quantum",
          "--type", "startup", "--phase", "1", "--contact-name", "x", "--case-id", "Photon Forge"], ["not valid"]),
        (["lead", "start", "--company", "X", "--region", "bom", "--hotspot", "twente", "--domain", "quantum",
          "--type", "startup", "--phase", "1", "--contact-name", "x", "--case-id", "B" * 101], ["at most 100"]),
        (["lead", "articulate-needs", case, "--grid-mva", "nan", *needs], ["energy.grid_mva", "finite"]),
        (["lead", "articulate-needs", case, "--grid-mva", "inf", *needs], ["energy.grid_mva", "finite"]),
        (["lead", "articulate-needs", case, "--grid-mva", "10000.5", *needs], ["energy.grid_mva", "10000"]),
        (["lead", "articulate-needs", case, "--m2", "10000001", *needs], ["space.m2", "10000000"]),
        (["lead", "articulate-needs", case, "--wo-fte", "100001", *needs], ["talent.wo_fte", "100000"]),
        (["lead", "articulate-needs", case, "--file", file("n.json", {"m2": "3000", "needed-by": "2028-01-01"})],
         ["space.m2", "valid integer"]),
        (["lead", "articulate-needs", case, "--file", file("v.json", {"m2": 30, "vibration-free": 1,
                                                                     "needed-by": "2028-01-01"})],
         ["space.vibration_free", "valid boolean"]),
        (["lead", "change-phase", case, "--file", file("c.json", {"phase": 3.0})], ["phase", "valid integer"]),
        (["lead", "change-phase", case, "--phase", "3", "--reason", "r" * 2001], ["reason", "at most 2000"]),
        (["lead", "change-phase", "lead photon forge", "--phase", "3"], ["not valid"]),
        (["lead", "list", "--company", "x" * 201], ["--company", "at most 200"]),
    ]
    for args, needles in refused:
        done = dev.run(*args, check=False)
        assert done.returncode == 2, (args[:3], done.returncode, done.stderr[-500:])
        for needle in needles:
            assert needle in done.stderr, (needle, done.stderr[-500:])
        assert len(done.stderr.splitlines()) <= 8 and len(done.stderr) < 2000  # short, and no echo of input
        assert "Traceback" not in done.stderr
    assert ledger_state() == before  # nothing was recorded anywhere in the ledger
    assert dev.json("lead", "show", case)["phase"] == 1

    # At the limits it goes through.
    at_limit = dev.json("lead", "articulate-needs", case, "--grid-mva", "10000", "--m2", "10000000",
                        "--wo-fte", "100000", *needs)
    assert at_limit["events"][0]["needs"]["energy"]["grid_mva"] == 10000.0
    assert at_limit["events"][0]["needs"]["space"]["m2"] == 10_000_000

    # People find cases by name or KvK, since ids name nobody.
    def found(text: str) -> list[str]:
        return [r["case_id"] for r in dev.json("lead", "list", "--company", text)]

    assert found("photon") == [case]
    assert found("FORGE b") == [case]
    assert found("12345678") == [case]
    assert found("bv") == [case, second.group(1)]
    assert found("nobody") == []
    assert found("light") == [second.group(1)]
    plain_list = dev.run("lead", "list", "--company", "forge")
    assert case in plain_list.stdout and "1 case(s)" in plain_list.stdout


def test_a_privacy_officer_erases_a_contact_and_the_ledger_still_verifies(dev):
    """Issue 16 point 4 from the command line: `privacy erase` on a running `brandpunt dev`."""
    case = dev.json("lead", "start", "--company", "Wisbare BV", "--region", "oost-nl", "--hotspot", "twente",
                    "--domain", "photonics", "--type", "startup", "--phase", "1", "--contact-name", "Wil Wissen",
                    "--contact-email", "wil@wisbaar.example")["case_id"]
    dev.run("lead", "note", case, "--text", "Wil Wissen belde over de uitbreiding")
    dry = dev.run("privacy", "erase", "--email", "wil@wisbaar.example", "--name", "Wil Wissen",
                  "--reference", "AVG-2026-9", "--dry-run")
    assert f"{case}: names the person; 3 sealed value(s)" in dry.stdout and "would erase 3" in dry.stdout
    bad = dev.run("privacy", "erase", "--name", "Wil Wissen", "--reference", "Wil Wissen", check=False)
    assert bad.returncode == 2 and "reference" in bad.stderr  # a name is no register reference
    done = dev.run("privacy", "erase", "--email", "wil@wisbaar.example", "--name", "Wil Wissen",
                   "--reference", "AVG-2026-9")
    assert "erased 3 sealed value(s)" in done.stdout
    shown = dev.json("lead", "show", case)
    assert shown["state"]["lead"]["contact"] == {"name": "[erased]", "email": "[erased]", "phone": None}
    assert [e["event"]["text"] for e in shown["events"] if e["type"] == "NoteRecorded"] == ["[erased]"]
    assert shown["events"][-1]["type"] == "PersonalDataErased" and "Wil" not in json.dumps(shown)
    assert dev.run("audit", "verify", "--all").returncode == 0
    again = dev.run("privacy", "erase", "--name", "Wil Wissen", "--reference", "AVG-2026-9")
    assert "nothing to erase" in again.stdout
