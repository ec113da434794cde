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
