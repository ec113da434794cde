"""Dutch and English (issue 19, first slice: the web app): every message of the web pages has its Dutch,
every vocabulary value its Dutch and English name, and a page follows the reader's browser and switch."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from reports.templating import LOCALE, vocabulary
from tests.test_web import browser, csrf_of, env  # noqa: F401 - env: test_web's API with a worker

ROOT = Path(__file__).resolve().parent.parent


def web_messages() -> set[str]:
    """The messages of the web app's templates, extracted as `pybabel extract` does (babel.cfg)."""
    found = extract_from_dir(str(ROOT / "api" / "web" / "templates"), method_map=[("**.html", "jinja2")],
                             options_map={"**.html": {"extensions": "jinja2.ext.i18n"}})
    return {m if isinstance(m, str) else m[0] for _, _, m, _, _ in found}


def test_every_message_of_the_web_pages_has_its_dutch():
    """The templates' messages and the actions' titles, help texts and labels (``api/web/messages.py``)."""
    from api.web.messages import action_messages

    with (LOCALE / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        dutch = {m.id: m.string for m in read_po(fh) if m.id and not m.fuzzy}
    wanted = web_messages() | set(action_messages())
    assert len(wanted) > 250
    assert sorted(m for m in wanted if not dutch.get(m)) == []


def test_every_vocabulary_value_has_a_dutch_and_an_english_name():
    from domain import vocab

    kinds = {"stage": vocab.Stage, "region": vocab.Region, "hotspot": vocab.HotspotId,
             "technology_domain": vocab.TechnologyDomain, "company_type": vocab.CompanyType,
             "outcome": vocab.Outcome, "bottleneck": vocab.Bottleneck, "party": vocab.ConsultationParty,
             "verdict": vocab.Verdict, "note_kind": vocab.NoteKind}
    names = vocabulary()
    checked = 0
    for kind, enum in kinds.items():
        values: type[Enum] = enum
        for member in values:
            entry = names[kind][member.value]
            assert entry["en"] and entry["nl"], (kind, member.value)
            checked += 1
    assert checked == 6 + 9 + 6 + 13 + 3 + 5 + 6 + 3 + 3 + 4
    assert names["stage"]["matchmaking"]["nl"] == "makelen en schakelen"  # the programme's own words
    assert names["outcome"]["no_proposition_possible"]["nl"] == "geen propositie mogelijk"


async def test_a_page_follows_the_browser_and_the_switch_the_reader_keeps(env):  # noqa: F811 - the fixture
    case_id = env.case_ids["bom"]
    async with browser(env, "bom.coordinator") as http:
        dutch = await http.get(f"/app/cases/{case_id}", headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.8"})
        assert dutch.status_code == 200 and '<html lang="nl">' in dutch.text
        assert dutch.headers["content-language"] == "nl"
        assert "Casussen" in dutch.text and "Wie het mag inzien" in dutch.text and "Tijdlijn" in dutch.text
        assert "detectie" in dutch.text and "makelen en schakelen" in dutch.text  # the stage path, in Dutch
        assert "optische systemen en geïntegreerde fotonica" in dutch.text
        assert "Behoefte articuleren" in dutch.text and "Vloeroppervlak (m²)" in dutch.text  # the actions' forms
        english = await http.get(f"/app/cases/{case_id}", headers={"Accept-Language": "fr, en-GB;q=0.5"})
        assert '<html lang="en">' in english.text and "Who may see it" in english.text
        switched = await http.post("/app/language", data={"language": "nl", "back": f"/app/cases/{case_id}",
                                                          "csrf": csrf_of(english.text)})
        assert switched.status_code == 303 and switched.headers["location"] == f"/app/cases/{case_id}"
        kept = await http.get("/app", headers={"Accept-Language": "en"})  # the switch wins over the browser
        assert '<html lang="nl">' in kept.text and "Werklijsten" in kept.text
        away = await http.post("/app/language", data={"language": "nl", "back": "https://elsewhere.example/app",
                                                      "csrf": csrf_of(english.text)})
        assert away.headers["location"] == "/app"  # never sent off-site
        bad = await http.post("/app/language", data={"language": "fr", "csrf": csrf_of(english.text)})
        assert bad.status_code == 422


def _dutch() -> dict[str, str]:
    with (LOCALE / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {str(m.id): str(m.string) for m in read_po(fh) if m.id and not m.fuzzy}


def _refusals() -> list[tuple[str, int, str, set[str]]]:
    """(file, line, template, parameters) of every ``CommandRejected`` a coordinator can meet: the stage
    machine's (``domain/decide.py``) and the commands' (``domain/commands.py``), and the templates the
    helper ``_not_in_past`` is given."""
    import ast

    found = []
    for name in ("domain/decide.py", "domain/commands.py"):
        source = (ROOT / name).read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            called = getattr(node.func, "id", None) if isinstance(node, ast.Call) else None
            if not isinstance(node, ast.Call) or called not in ("CommandRejected", "_not_in_past"):
                continue
            at = 1 if called == "CommandRejected" else 4
            template = node.args[at] if len(node.args) > at else None
            if isinstance(template, ast.Name) and template.id in ("template", "text"):
                continue  # _not_in_past's own parameter; pydantic's words for invalid input (rendered by type)
            assert isinstance(template, ast.Constant) and isinstance(template.value, str), (
                f"{name}:{node.lineno}: a refusal's message is a template with named parameters, not an f-string")
            params = {k.arg for k in node.keywords if k.arg} | ({"day"} if called == "_not_in_past" else set())
            found.append((name, node.lineno, template.value, params))
    return found


def test_every_refusal_is_a_template_with_its_dutch_and_the_same_parameters():
    import string

    dutch = _dutch()
    refusals = _refusals()
    assert len(refusals) > 40
    for name, line, template, params in refusals:
        used = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        assert used <= params | {"field"}, (name, line, used - params)
        assert dutch.get(template), f"{name}:{line}: no Dutch for {template!r}"
        assert {f for _, f, _, _ in string.Formatter().parse(dutch[template]) if f} == used, (name, line)


def test_a_refusal_of_decide_reads_in_dutch_and_in_english():
    from datetime import UTC, datetime

    from client.errors import CommandRefused, Said
    from domain.decide import CommandRejected, Context, decide
    from domain.state import fold
    from reports.templating import LANGUAGE, said
    from tests import factories as f

    ctx = Context("BP-2026-0001", datetime(2026, 3, 2, 9, tzinfo=UTC))
    state = fold(decide(None, f.start(phase=2), ctx))
    refusals = []
    for command in (f.command("start-realisation"), f.command("answer-consultation", consultation_id="c-9",
                                                              verdict="positive", answer="ja")):
        try:
            decide(state, command, ctx)
        except CommandRejected as err:
            refusals.append(CommandRefused("BP-2026-0001", err.rule, err.message, err.field, Said.of(err)))
    wrong_stage, _ = refusals
    assert str(wrong_stage) == ("refused for BP-2026-0001: start-realisation is not possible in stage detection; "
                                "allowed in: consultation")
    token = LANGUAGE.set("nl")
    try:
        assert said(wrong_stage) == ("geweigerd voor BP-2026-0001: start-realisation kan niet in de fase detectie; "
                                     "wel in: gemeente en netbeheerder")
        import pytest

        from client.api import command_from
        from client.errors import BadInput

        with pytest.raises(BadInput) as refused:
            command_from("note", {"text": "", "kind": "meeting"}, {"actor": "x"})
        assert said(refused.value) == "text: moet minstens 1 teken(s) lang zijn"
        assert "String should have at least 1 character" in str(refused.value)  # English stays pydantic's words
    finally:
        LANGUAGE.reset(token)
    assert said(wrong_stage) == str(wrong_stage)  # English: the message as it is


def test_the_cli_says_a_refusal_in_the_language_of_its_locale():
    from cli.main import in_language, language
    from client.errors import CommandRefused, Said

    assert [language(e) for e in ({"LANG": "nl_NL.UTF-8"}, {"LANG": "nl_NL.UTF-8", "BRANDPUNT_LANG": "en"},
                                  {"LC_ALL": "en_GB.UTF-8", "LANG": "nl_NL"}, {})] == ["nl", "en", "en", "en"]
    refused = CommandRefused("BP-2026-0001", "case-closed", "case BP-2026-0001 is closed (withdrawn); reopen it first",
                             None, Said("case {case} is closed ({outcome}); reopen it first",
                                        {"case": "BP-2026-0001", "outcome": "withdrawn"}))
    import os

    before = os.environ.get("BRANDPUNT_LANG")
    os.environ["BRANDPUNT_LANG"] = "nl"
    try:
        assert in_language(refused) == ("geweigerd voor BP-2026-0001: casus BP-2026-0001 is gesloten "
                                        "(teruggetrokken); heropen hem eerst")
    finally:
        if before is None:
            del os.environ["BRANDPUNT_LANG"]
        else:
            os.environ["BRANDPUNT_LANG"] = before


def test_the_annual_report_in_dutch_gives_the_known_answers_in_the_programmes_words():
    """The 2026 annual report of the impact tests' scenario (tests/impact_data.py: figures checked in
    English by tests/test_impact.py), in Dutch: the same figures with Dutch numbers, dates and names,
    the programme's own terms, and no English sentence of the report's catalogue left in it."""
    from domain.impact import Period, impact
    from reports import render
    from reports.i18n import reading
    from tests.impact_data import events, scenario

    d = impact(events(scenario()), Period.parse("2026"), kind="annual")
    with reading("nl"):
        md, html = render(d, "md"), render(d, "html")
    english = render(d, "md")
    assert "# Impactrapportage 2026" in md and "## Indicatoren tegen de doelen" in md
    assert "| Leads in portefeuille (gehad) | 3 | 10 (pro rata) | 6 | 20 | 30% |" in md
    assert "| Leads in portfolio (had) | 3 | 10 (pro rata) | 6 | 20 | 30% |" in english  # the same figures
    assert "| Behoud geïnvesteerd vermogen voor NL (EUR), alle leads samen | € 0 | – (totaal over 4 jaar) | € 0 | " \
           "€ 1,50 mld | 0% |" in md
    assert "| niet vastgelegd wat er zonder het programma was gebeurd | 1 | € 40,0 mln | 2 | € 140,0 mln |" in md
    assert "Periode 1 januari 2026 tot 1 januari 2027 (niet inbegrepen): 25,0% van het programma 2025–2028" in md
    assert "| BOM | 1 | 1 | 1 | 0 | 0 | € 40,0 mln | 0 | 0 |" in md and "| Brainport Eindhoven | 1 |" in md
    for term in ("vraagarticulatie", "makelen en schakelen", "Case based aanpakken", "Behoud geïnvesteerd vermogen",
                 "geen propositie", "Leereffecten van het experiment", "median"[:0] + "mediaan 921 dagen"):
        assert term in md, term
    assert '<html lang="nl">' in html and "Trechter: leads die elke fase bereikten" in html
    with (LOCALE / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        report_english = {str(m.id) for m in read_po(fh) if m.id and str(m.id) != str(m.string)}
    left = sorted(m for m in report_english if len(m) > 24 and "{" not in m and "%(" not in m
                  and (m in md or m in html))
    assert left == []  # every sentence of the report is said in Dutch


def test_a_timeline_reads_in_dutch_on_the_page_and_in_english_in_the_cli():
    from datetime import UTC, datetime

    from client.story import timeline
    from domain.decide import Context, decide
    from domain.state import fold
    from reports.i18n import reading
    from reports.templating import said
    from tests import factories as f

    ctx = Context("BP-2026-0001", datetime(2026, 3, 2, 9, tzinfo=UTC))
    events = decide(None, f.start(phase=2), ctx)
    events += decide(fold(events), f.command("close", outcome="no_proposition_possible", bottleneck="space"), ctx)
    story = timeline(events)
    assert [str(e.what) for e in story] == [
        "lead detected: Photon Forge BV, phase 2, bom", "closed: no_proposition_possible, bottleneck space"]
    with reading("nl"):
        assert [said(e.what) for e in story] == [
            "lead gedetecteerd: Photon Forge BV, fase 2, BOM",
            "gesloten: geen propositie mogelijk, knelpunt ruimte"]


def test_an_inbox_label_reads_in_dutch():
    from datetime import UTC, date, datetime, timedelta

    from client.inbox import label
    from domain.reminders import PlannedReminder
    from reports.i18n import reading
    from reports.templating import said

    now = datetime(2026, 11, 25, 9, tzinfo=UTC)
    reminder = PlannedReminder(key="consultation:C1:due", rule="consultation", due_at=now - timedelta(days=1),
                               recipient="x@example.org", subject="s")
    late, soon = label(reminder, date(2026, 11, 20), now), label(reminder, date(2026, 11, 28), now)
    assert (str(late), str(soon)) == ("overdue since 2026-11-20", "due in 3 days")
    with reading("nl"):
        assert (said(late), said(soon)) == ("te laat sinds 20 november 2026", "uiterlijk over 3 dagen")


def test_lead_show_reads_in_dutch_under_a_dutch_locale(tmp_path):
    """The CLI's case text (``brandpunt lead show``) in Dutch with ``BRANDPUNT_LANG=nl``, English otherwise."""
    import os
    import subprocess
    import sys
    from datetime import UTC, datetime

    from domain.decide import Context, decide
    from domain.state import fold
    from ledger.store import Ledger
    from tests import factories as f

    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledger = Ledger.open(url, upgrade=True)
    ctx = Context("BP-2026-0001", datetime(2026, 3, 2, 9, tzinfo=UTC))
    events = decide(None, f.start(phase=2), ctx)
    ledger.append(events)
    ledger.append(decide(fold(events), f.command("close", outcome="withdrawn"), ctx))
    ledger.dispose()
    brandpunt = str(Path(sys.executable).parent / "brandpunt")
    base = {"PATH": os.environ["PATH"], "BRANDPUNT_HOME": str(tmp_path), "BRANDPUNT_LEDGER_URL": url}
    shown = {lang: subprocess.run([brandpunt, "lead", "show", "BP-2026-0001"], env={**base, "BRANDPUNT_LANG": lang},
                                  capture_output=True, text=True, timeout=60) for lang in ("nl", "en")}
    assert shown["nl"].returncode == shown["en"].returncode == 0, shown["nl"].stderr
    assert "  processtap   afgesloten sinds 2 maart 2026: teruggetrokken" in shown["nl"].stdout
    assert "gesloten: teruggetrokken" in shown["nl"].stdout and "Tijdlijn" in shown["nl"].stdout
    assert "  stage        closed since 2026-03-02: withdrawn" in shown["en"].stdout
    assert "closed: withdrawn" in shown["en"].stdout and "Timeline" in shown["en"].stdout


def _planned_subjects() -> list[str]:
    """The subjects ``domain.reminders.plan`` writes, over cases that owe each kind of reminder."""
    from datetime import UTC, date, datetime, timedelta

    from domain.decide import Context, decide
    from domain.reminders import Phase2Rule, ReminderRules, plan
    from domain.state import fold
    from tests import factories as f

    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    rules = ReminderRules(phase2=Phase2Rule())
    subjects: list[str] = []
    for phase, then in ((2, []), (3, []), (2, [f.command("change-phase", phase=1)]),
                        (2, [f.command("expect-phase2-end", expected_end=(date.today() + timedelta(days=400)).isoformat())]),
                        (2, [f.command("articulate-needs", needs=f.NEEDS)])):
        case = f"BP-2026-{len(subjects):04d}"
        events = decide(None, f.start(phase=phase), Context(case, t0))
        state = fold(events)
        for k, command in enumerate(then, start=1):
            state = fold(decide(state, command, Context(case, t0 + timedelta(hours=k))), state)
        assert state is not None
        subjects += [r.subject for r in plan(state, rules)]
    return subjects


def test_every_reminder_subject_is_a_template_the_mail_says_in_dutch():
    from reports import mail
    from reports.i18n import reading

    subjects = _planned_subjects()
    assert len(subjects) > 10 and any(s.startswith("follow-up") for s in subjects)
    with reading("nl"):
        said = [mail.subject(s) for s in subjects]
    assert [s for s, nl in zip(subjects, said, strict=True) if nl == s] == []  # every one matched a template
    assert "Photon Forge BV heeft levensfase 2 bereikt: begin met de vraagarticulatie" in said
    assert any(s.startswith("vervolg 1: Photon Forge BV") for s in said)
    with reading("nl"):
        assert mail.body("Lead X reached venture phase 2: start needs articulation\n\nCase BP-2026-0001, stage "
                         "matchmaking.") == ("Lead X heeft levensfase 2 bereikt: begin met de vraagarticulatie\n\n"
                                             "Casus BP-2026-0001, fase makelen en schakelen.")


def test_an_e_mail_goes_out_in_its_recipients_language(ledger_url):
    from activities.notify import Channels, Notification, NotifyActivities
    from ledger.store import Ledger
    from tests.peers import MailSink

    ledger = Ledger.open(ledger_url, upgrade=True)
    n = Notification(message_id="BP-2026-0001/phase2:remind", case_id="BP-2026-0001", key="phase2:remind",
                     recipient="coordinator@example.org",
                     subject="Photon Forge BV reached venture phase 2: start needs articulation",
                     body="Photon Forge BV reached venture phase 2: start needs articulation\n\nCase BP-2026-0001, "
                          "stage detection.")
    with MailSink() as sink:
        NotifyActivities(ledger.outbox, Channels(smtp_host="127.0.0.1", smtp_port=sink.port,
                                                 language="nl")).deliver_notification(n)
    (_, _, content), = sink.messages
    import email
    from email import policy

    received = email.message_from_bytes(content, policy=policy.default)
    assert received["Subject"].strip() == "Photon Forge BV heeft levensfase 2 bereikt: begin met de vraagarticulatie"
    assert "Casus BP-2026-0001, fase detectie." in received.get_content()
    (stored,) = ledger.outbox.messages()
    assert stored.subject == n.subject  # the outbox keeps what the ledger recorded
    assert Channels.from_env({"BRANDPUNT_MAIL_LANGUAGE": "nl"}).language == "nl"
    ledger.dispose()


def test_the_dutch_catalogue_translates_every_message_the_template_holds():
    """``messages.pot`` (what `pybabel extract` found, babel.cfg) against the Dutch catalogue: every
    message has its Dutch, none is fuzzy, and a python-format message keeps its placeholders."""
    import re

    with (LOCALE / "messages.pot").open("rb") as fh:
        template = {str(m.id) for m in read_po(fh) if m.id}
    with (LOCALE / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        dutch = {str(m.id): m for m in read_po(fh) if m.id}
    assert len(template) > 600
    assert sorted(template - set(dutch)) == []
    assert sorted(m for m in template if not dutch[m].string or dutch[m].fuzzy) == []
    names = re.compile(r"%\((\w+)\)s|\{(\w+)\}")
    assert sorted(m for m in template if set(names.findall(m)) != set(names.findall(str(dutch[m].string)))) == []
