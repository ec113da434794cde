"""No password, token or case payload in anything brandpunt prints or logs; its files are private.

The canaries are built at run time, so this file's own source (shown by pytest on a failure) never
holds one: ``test.sh`` greps the whole run's output for them.
"""

from __future__ import annotations

import io
import logging
import os
import signal
import stat
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import make_url

from ledger.errors import LedgerDatabaseError
from ledger.store import Ledger
from settings import load, redact, safe_url, secret_values
from tests import factories as f
from tests.test_cli_e2e import BIN, Dev, free_port
from tests.test_health import block_writes

PW = "CANARY-" + "pw-1234"
SMTP_PW = "CANARY-" + "smtp-5678"
API_KEY = "CANARY-" + "apikey-9012"
CANARIES = (PW, SMTP_PW, API_KEY)
COMPANY = "Geheime " + "Fotonica Holding BV"  # case data: never in an error


def with_password(url: str) -> str:
    return make_url(url).set(password=PW).render_as_string(hide_password=False)


def secret_env(home: Path, ledger_url: str | None = None) -> dict[str, str]:
    env = {**os.environ, "BRANDPUNT_HOME": str(home), "BRANDPUNT_ACTOR": "secrets-test",
           "BRANDPUNT_SMTP_PASSWORD": SMTP_PW, "TEMPORAL_API_KEY": API_KEY, "TEMPORAL_TLS": "false",
           "BRANDPUNT_LOG_FORMAT": "json"}
    if ledger_url:
        env["BRANDPUNT_LEDGER_URL"] = ledger_url
    return env


def brandpunt(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=120)
    print(done.stdout, done.stderr)  # into the run's log as well: test.sh greps it
    return done


def assert_clean(*texts: str) -> None:
    for text in texts:
        for canary in CANARIES:
            assert canary not in text, f"a secret was printed: {text[:2000]}"


def test_redact_masks_every_kind_of_credential():
    env = {"TEMPORAL_API_KEY": API_KEY, "BRANDPUNT_SMTP_PASSWORD": SMTP_PW, "OTHER": "x"}
    text = (f"postgresql+psycopg://postgres:{PW}@db:5432/x?sslmode=require, "
            f"https://user:{PW}@hook.example/path?token={PW}&a=1, Authorization: Bearer {API_KEY}, "
            f"the key {API_KEY} and the SMTP password {SMTP_PW}")
    shown = redact(text, secret_values(env))
    assert_clean(shown)
    assert "postgresql+psycopg://postgres:***@db:5432/x?sslmode=require" in shown
    assert "https://user:***@hook.example/path?token=***&a=1" in shown
    assert redact("sqlite:////var/lib/brandpunt/ledger.db", []) == "sqlite:////var/lib/brandpunt/ledger.db"
    assert safe_url(f"postgresql+psycopg://brandpunt:{PW}@db/brandpunt") == "postgresql+psycopg://brandpunt:***@db/brandpunt"
    assert secret_values({"BRANDPUNT_LEDGER_URL": f"postgresql://u:{PW}@h/d"}) == [PW]
    settings = load({"BRANDPUNT_LEDGER_URL": f"postgresql://u:{PW}@h/d", "TEMPORAL_API_KEY": API_KEY})
    assert_clean(repr(settings))
    from activities.notify import Channels

    assert_clean(repr(Channels.from_env({"BRANDPUNT_SMTP_PASSWORD": SMTP_PW})))


def test_log_lines_are_masked(monkeypatch):
    from observability import logs

    monkeypatch.setenv("TEMPORAL_API_KEY", API_KEY)
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logs.configure(fmt="json", stream=stream)
        log = logs.get("brandpunt.test")
        log.info("connecting", ledger=f"postgresql+psycopg://postgres:{PW}@db/x", key=API_KEY)
        logging.getLogger("some.library").warning("dsn %s failed", f"postgresql://u:{PW}@h/d")
        try:
            raise RuntimeError(f"could not use https://svc:{PW}@example.org with {API_KEY}")
        except RuntimeError:
            log.exception("failed")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    out = stream.getvalue()
    assert out.count("***") >= 5 and "could not use https://svc:***@example.org" in out, out
    assert_clean(out)


def test_a_failed_ledger_write_says_what_failed_without_the_event(ledger_url):
    from sqlalchemy.exc import OperationalError, SQLAlchemyError
    from temporalio.exceptions import ApplicationError

    from activities.ledger import LEDGER_REFUSED, classify

    ledger = Ledger.open(ledger_url, upgrade=True)
    case_id = "lead-secret-write"
    block_writes(ledger, case_id)
    with pytest.raises(SQLAlchemyError) as raw:
        ledger.append([_lead_detected(case_id)])
    assert "[SQL parameters hidden due to hide_parameters=True]" in str(raw.value)  # the engine's part
    refused = classify(raw.value)  # what the activity raises, hence what Temporal keeps and the worker logs
    assert isinstance(refused, ApplicationError) and refused.type == LEDGER_REFUSED and refused.non_retryable
    message = str(refused)
    assert ("sqlite3.IntegrityError: row refused" in message
            or "psycopg.errors.CheckViolation: new row" in message), message
    assert COMPANY not in message and "parameters" not in message and "DETAIL" not in message
    assert "INSERT" not in message  # no SQL either
    outage = classify(OperationalError("INSERT INTO ledger_events ...", {"payload": COMPANY},
                                       Exception(f"server closed the connection\nDETAIL: {COMPANY}")))
    assert isinstance(outage, LedgerDatabaseError)  # transient: retried, and short
    assert str(outage) == "Exception: server closed the connection"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logging.getLogger("test.write").addHandler(handler)
    try:
        for err in (refused, outage):
            try:
                raise err from None
            except Exception:
                logging.getLogger("test.write").exception("write failed")
    finally:
        logging.getLogger("test.write").removeHandler(handler)
    assert "write failed" in stream.getvalue() and COMPANY not in stream.getvalue()
    ledger.dispose()


def _lead_detected(case_id: str):
    """The first event of a case whose company is ``COMPANY`` (as the workflow would make it)."""
    from datetime import UTC, datetime

    from domain.decide import Context, decide

    command = f.start(company=COMPANY)
    [event] = decide(None, command, Context(case_id=case_id, at=datetime.now(UTC)))
    assert COMPANY in event.model_dump_json()
    return event


def test_cli_prints_no_secret(tmp_path, pg_url):
    url = with_password(pg_url)
    env = secret_env(tmp_path / "home", url)
    env["TEMPORAL_ADDRESS"] = f"127.0.0.1:{free_port()}"  # nothing listens: the Temporal error path
    schema_missing = brandpunt(env, "lead", "list")  # before `db upgrade`: a schema error
    assert schema_missing.returncode == 1 and "brandpunt db upgrade" in schema_missing.stderr
    assert "postgres:***@" in schema_missing.stderr
    upgraded = brandpunt(env, "db", "upgrade")
    assert upgraded.returncode == 0 and "postgres:***@127.0.0.1" in upgraded.stdout, upgraded.stdout
    listed, as_json = brandpunt(env, "lead", "list"), brandpunt(env, "lead", "list", "--json")
    assert listed.returncode == 0 and as_json.returncode == 0
    unknown = brandpunt(env, "lead", "show", "lead-nobody")  # refused: the message names the ledger
    assert unknown.returncode == 2 and "no case lead-nobody in the ledger at postgresql" in unknown.stderr
    unreachable = brandpunt(env, "lead", "change-phase", "lead-nobody", "--phase", "3")
    assert unreachable.returncode == 1 and "cannot reach Temporal" in unreachable.stderr
    health = brandpunt(env, "audit", "health", "--json")
    assert health.returncode == 1 and "cannot reach Temporal" in health.stderr
    down = {**env, "BRANDPUNT_LEDGER_URL": with_password(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/x")}
    refused = brandpunt(down, "lead", "list")  # the database refuses the connection
    assert refused.returncode == 1 and "psycopg.OperationalError" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr and "postgres:***@" in refused.stderr
    for done in (schema_missing, upgraded, listed, as_json, unknown, unreachable, health, refused):
        assert_clean(done.stdout, done.stderr)


def test_dev_and_worker_print_no_secret_and_keep_their_files_private(tmp_path, case_ledger_url):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)  # made by someone else, loosely: brandpunt dev tightens it
    (home / "notes.txt").write_text("x")
    (home / "notes.txt").chmod(0o644)
    pg = not case_ledger_url.startswith("sqlite")
    dev = Dev(home, with_password(case_ledger_url) if pg else case_ledger_url)
    dev.env.update({k: v for k, v in secret_env(home).items() if k not in ("BRANDPUNT_HOME",)})
    dev.start()
    try:
        case = dev.json("lead", "start", "--company", COMPANY, "--region", "nom", "--hotspot", "groningen",
                        "--domain", "photonics", "--type", "scaleup", "--phase", "2", "--contact-name", "C")["case_id"]
        runs = [dev.run("lead", "list"), dev.run("lead", "list", "--json"), dev.run("audit", "health"),
                dev.run("lead", "start-realisation", case, check=False)]  # refused: wrong stage
        assert runs[-1].returncode == 2
        worker = subprocess.Popen([str(BIN), "worker"], env={**dev.env, "BRANDPUNT_TASK_QUEUE": "secrets-test"},
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines = []
        try:
            assert worker.stdout is not None
            while not any("worker started" in line for line in lines) and worker.poll() is None:
                lines.append(worker.stdout.readline())
            dev.run("lead", "articulate-needs", case, "--m2", "500", "--needed-by", "2028-01-01")
        finally:
            worker.send_signal(signal.SIGINT)
            worker_out = "".join(lines) + worker.communicate(timeout=60)[0]
        print(worker_out)
        assert "worker started" in worker_out
        if pg:
            assert "postgres:***@" in worker_out
    finally:
        assert dev.stop() == 0
    banner = next(line for line in dev.output if "Ctrl-C stops" in line)
    assert ("postgres:***@" in banner) if pg else (f"ledger sqlite:///{home}/ledger.db" in banner), banner
    assert any("record_events" in line or "recorded" in line for line in dev.output)  # its log lines
    assert_clean("".join(dev.output), worker_out, *(r.stdout + r.stderr for r in runs))
    loose = [
        f"{p} {stat.filemode(p.lstat().st_mode)}" for p in [home, *home.rglob("*")]
        if p.lstat().st_mode & 0o077 and not p.is_symlink()
    ]
    assert not loose, loose
    assert (home / "temporal.db").exists()
    if not pg:
        assert stat.S_IMODE((home / "ledger.db").stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
