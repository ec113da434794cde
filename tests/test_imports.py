"""``lead import``'s checks (``client.imports``) and the flag-named input of ``client.forms``, without a
server: every problem by row and column, the delimiter, re-run ids, and the example file."""

from __future__ import annotations

from pathlib import Path

import pytest

from client import forms, imports
from client.errors import BadInput

META = {"actor": "j.jansen", "organisation": "BOM", "reason": None}
HEADER = "company,kvk,region,hotspot,domain,type,phase,coordinator,contact-name,contact-email,contact-phone"
GOOD = "Photon Forge BV,12345678,bom,brainport-eindhoven,photonics,scaleup,2,j@bom.nl,Anna,anna@example.org,"
EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "pipeline.csv"


def plan(*lines: str, file: str = "pipeline.csv") -> imports.Plan:
    return imports.parse("\r\n".join(lines) + "\r\n", file, META)


def test_the_example_file_in_the_docs_imports_cleanly():
    checked = imports.read(str(EXAMPLE), META)
    assert checked.problems == [] and len(checked.rows) == 3
    assert checked.rows[2].company == "Smit, De Boer & Zonen BV"  # quoted, with a comma
    assert set(EXAMPLE.read_text(encoding="utf-8").splitlines()[0].split(",")) == set(imports.COLUMNS)


def test_a_row_becomes_a_start_command_with_its_source_and_a_repeatable_id():
    checked = plan(HEADER, GOOD, "Qubit BV,,nom,groningen,quantum,startup,1,,Q,,")
    assert checked.problems == []
    first, second = checked.rows
    assert (first.number, second.number) == (2, 3)  # as a spreadsheet numbers them: the header is row 1
    lead = first.command.lead
    assert (lead.company, lead.kvk, lead.home_region.value, lead.phase, lead.contact.email, lead.contact.phone) == (
        "Photon Forge BV", "12345678", "bom", 2, "anna@example.org", None)
    assert (first.command.actor, first.command.organisation) == ("j.jansen", "BOM")
    assert first.command.source == "import:pipeline.csv#row 2" and first.command.reason is None
    again = plan(HEADER, GOOD, "Qubit BV,,nom,groningen,quantum,startup,1,,Q,,")
    assert [r.command.command_id for r in again.rows] == [r.command.command_id for r in checked.rows]
    assert first.command.command_id != second.command.command_id
    other_file = plan(HEADER, GOOD, file="other.csv").rows[0].command.command_id
    edited = plan(HEADER, GOOD.replace("Anna", "Anne")).rows[0].command.command_id
    assert len({first.command.command_id, other_file, edited}) == 3
    with_reason = imports.parse(f"{HEADER}\n{GOOD}\n", "p.csv", {**META, "reason": "ROM pipeline 2026"})
    assert (with_reason.rows[0].command.reason, with_reason.rows[0].command.source) == (
        "ROM pipeline 2026", "import:p.csv#row 2")


def test_every_problem_is_named_by_row_and_column():
    checked = plan(
        HEADER,
        GOOD,
        "A BV,123,atlantis,twente,quantum,startup,one,,x,,",
        "B BV,,bom,twente,quantum,startup,7,,,nope,",
        "",  # an empty line is no row
        "C BV,,bom,twente,quantum,startup,2,,C,,,extra",
    )
    assert checked.rows and [r.number for r in checked.rows] == [2]
    found = {(p.row, p.column) for p in checked.problems}
    assert found == {(3, "kvk"), (3, "region"), (3, "phase"), (4, "phase"), (4, "contact-name"),
                     (4, "contact-email"), (6, None)}
    text = [str(p) for p in checked.problems]
    assert "row 3, column phase: Input should be a valid integer" in text
    assert "row 6: 12 cells, but 11 columns" in text


def test_the_header_is_checked_first():
    checked = plan("company,home_region,hotspot,hotspot,domain,type,phase", "X,bom,twente,twente,quantum,startup,1")
    assert checked.rows == []
    text = [str(p) for p in checked.problems]
    assert any(t.startswith("row 1, column home_region: unknown column (use region)") for t in text), text
    assert "row 1, column hotspot: the column appears twice" in text
    assert any("missing column(s) region, contact-name" in t for t in text), text
    assert [str(p) for p in imports.parse("", "e.csv", META).problems] == [
        "the file is empty (a header row names the columns)"]
    assert [str(p) for p in plan(HEADER).problems] == ["no rows below the header"]


def test_semicolons_and_a_byte_order_mark_as_excel_writes_them(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + HEADER.replace(",", ";") + "\r\n" + GOOD.replace(",", ";") + "\r\n").encode())
    checked = imports.read(str(path), META)
    assert checked.problems == [] and checked.rows[0].command.lead.company == "Photon Forge BV"
    assert checked.rows[0].command.source == "import:excel.csv#row 2"  # the file's name, not its path


@pytest.mark.parametrize(("kind", "needle"), [("missing", "no such file"), ("folder", "a folder"),
                                               ("latin-1", "not UTF-8")])
def test_an_unreadable_file_is_bad_input_naming_it(tmp_path, kind, needle):
    path = tmp_path / "p.csv"
    if kind == "folder":
        path.mkdir()
    elif kind == "latin-1":
        path.write_bytes("company\nCaf\u00e9 BV\n".encode("latin-1"))
    with pytest.raises(BadInput, match=needle) as err:
        imports.read(str(path), META)
    assert str(path) in str(err.value)


def test_forms_place_flags_and_explain_model_names():
    paths = {n: ("lead", *p) for n, p in forms.LEAD.items()}
    assert forms.body({"region": "bom", "contact-email": "a@b.nl", "kvk": None}, paths) == {
        "lead": {"home_region": "bom", "contact": {"email": "a@b.nl"}}}
    assert forms.flag_of("lead.contact.email", paths) == "contact-email"
    assert forms.flag_of("lead.home_region", paths) == "region"
    assert forms.flag_of("lead.unknown", paths) is None
    with pytest.raises(BadInput) as err:
        forms.check_names({"home_region": "bom", "contact": {}, "compnay": "x", "company": "y"},
                          list(forms.LEAD), paths, "--file f.json", "A --file holds the flags")
    message = str(err.value)
    assert "'home_region' (use region)" in message
    assert "'contact' (use contact-name, contact-email, contact-phone)" in message
    assert "'compnay' (use company)" in message
    assert "'company'" not in message.split(".")[0]  # a flag name is never called unknown
    assert message.endswith("A --file holds the flags by name: " + ", ".join(forms.LEAD))


def test_every_flag_of_a_command_has_its_place_in_the_body():
    """A flag added to a command's parser but not to its table would be lost (or fail): they agree."""
    from cli import flags
    from cli.main import parser

    commands = parser()._subparsers._group_actions[0].choices["lead"]._subparsers._group_actions[0].choices
    tabled = ["start", *flags.COMMANDS]
    assert len(tabled) == 18
    for kind in tabled:
        named = set(commands[kind].get_default("flags")) - {"reason", "case-id"}
        assert named == set(flags.spec(kind).paths), kind
    assert forms.body({"investment-eur": 5, "jobs": None, "new-scaleup": None, "hotspot": "twente",
                       "region": None, "municipality": "Enschede"}, flags.paths("realise", {})) == {
        "investment_eur": 5, "location": {"hotspot": "twente", "municipality": "Enschede"}}


def test_a_row_names_its_current_site_and_may_sit_outside_any_hotspot():
    """Issue 14: ``site`` is a column (the lead's current municipality); ``hotspot`` "none" is said out
    loud, an empty hotspot cell still a missing value."""
    header = HEADER + ",site"
    checked = plan(header, "Rural Lasers BV,,bom,none,photonics,startup,2,,R,,,Oss")
    assert checked.problems == []
    lead = checked.rows[0].command.lead
    assert (lead.hotspot, lead.site) == (None, "Oss")
    missing = plan(header, "Rural Lasers BV,,bom,,photonics,startup,2,,R,,,Oss")
    assert [(p.row, p.column) for p in missing.problems] == [(2, "hotspot")]


def test_a_signalling_organisation_is_a_column_checked_against_the_organisations_list():
    from domain.organisations import parse as organisations_of
    from settings import SHIPPED_ORGANISATIONS

    known = organisations_of(SHIPPED_ORGANISATIONS.read_text(encoding="utf-8"))
    header = f"{HEADER},signalled-by"
    checked = imports.parse(f"{header}\n{GOOD},twente-board\n{GOOD.replace('Photon', 'Lumen')},bom\n"
                            f"{GOOD.replace('Photon', 'Qubit')},\n", "p.csv", META, known)
    assert [r.number for r in checked.rows] == [2, 4]
    assert checked.rows[0].command.signalled_by == "twente-board" and checked.rows[1].command.signalled_by is None
    assert [(p.row, p.column) for p in checked.problems] == [(3, "signalled-by")]
    assert "bom is a rom, not a triple-helix organisation" in checked.problems[0].message
