"""The CLI's exit codes come from the error's class (client/errors.py), mapped in one place (cli.main.main)."""

from __future__ import annotations

import pytest

import cli.main
from client.errors import BadInput, CaseError, TemporalUnreachable


@pytest.mark.parametrize("error, code", [
    (BadInput("field lead.kvk: 8 digits"), 2),
    (TemporalUnreachable("no Temporal at 127.0.0.1:1; start one with `brandpunt dev`"), 1),
    (CaseError("the ledger refused the write"), 1),
])
def test_each_failure_exits_with_its_code_and_one_line(monkeypatch, capsys, error, code):
    async def fails(args):
        raise error

    monkeypatch.setattr(cli.main, "_dispatch", fails)
    assert cli.main.main(["lead", "list"]) == code
    assert capsys.readouterr().err.strip().splitlines() == [f"brandpunt: {error}"]


def test_an_unknown_case_is_bad_input_from_the_real_command(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("BRANDPUNT_HOME", str(tmp_path))
    monkeypatch.delenv("BRANDPUNT_LEDGER_URL", raising=False)
    assert cli.main.main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert cli.main.main(["lead", "show", "lead-nobody"]) == 2
    assert "no case lead-nobody in the ledger" in capsys.readouterr().err
    assert cli.main.main(["lead", "list"]) == 0
    assert capsys.readouterr().out.strip().endswith("0 case(s)")
