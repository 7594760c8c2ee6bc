"""The command line: database, demo, import/export with exit codes, stats as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from unionsync import config
from unionsync.catalog.template import PROGRAM_COLUMNS
from unionsync.cli import app
from unionsync.core.shared import SharedResult
from unionsync.db.session import make_engine

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, demo_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("UNIONSYNC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("UNIONSYNC_DATABASE_URL", demo_url)
    config.get_settings.cache_clear()
    yield tmp_path
    config.get_settings.cache_clear()


def test_stats_json_counts_what_the_demo_holds(env: Path):
    result = runner.invoke(app, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["programs_per_country"] == {"BY": 8, "RU": 20}
    assert figures["counts"]["program_item"] >= 1000


def test_demo_twice_changes_nothing(env: Path, demo_url: str):
    result = runner.invoke(app, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "already loaded" in result.stdout
    # the overview's results are there before the first page is served
    assert "Overview and synchronisation computed" in result.stdout
    engine = make_engine(demo_url)
    with engine.connect() as connection:
        keys = set(connection.execute(select(SharedResult.key)).scalars())
    engine.dispose()
    assert {"coverage:existing", "sync:all", "overview:industry-shares"} <= keys


def test_export_then_import_round_trips(env: Path):
    out = env / "programs.xlsx"
    exported = runner.invoke(app, ["export", "programs", "--out", str(out), "--country", "BY"])
    assert exported.exit_code == 0, exported.output
    imported = runner.invoke(app, ["import", "programs", str(out)])
    assert imported.exit_code == 0, imported.output
    out = " ".join(imported.stdout.split())
    assert "programs: added 0, changed 0, unchanged 8, removed 0" in out
    assert "items: added 0, changed 0, unchanged 263" in out


def test_a_bad_file_exits_non_zero_and_names_file_row_and_column(env: Path):
    path = env / "bad.csv"
    headers = ";".join(c.ru for c in PROGRAM_COLUMNS)
    row = "BY;BY-X;Т;;machine-tools;2025;2027;1;;1;Изделие;;8458118000;бочка;;;;"
    path.write_text(f"{headers}\n{row}\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "programs", str(path)])
    assert result.exit_code == 1
    assert "bad.csv, row 2, column «Единица измерения (ОКЕИ)»" in result.stderr
    assert "nothing was imported" in result.stderr


def test_missing_file_and_wrong_export_suffix_exit_2(env: Path):
    assert runner.invoke(app, ["import", "programs", str(env / "nope.xlsx")]).exit_code == 2
    assert runner.invoke(app, ["export", "programs", "--out", str(env / "x.pdf")]).exit_code == 2


def test_db_upgrade_creates_an_empty_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("UNIONSYNC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("UNIONSYNC_DATABASE_URL", raising=False)
    config.get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["db", "upgrade"])
    finally:
        config.get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert (tmp_path / "unionsync.db").exists()


def test_user_lifecycle_from_the_command_line(env: Path):
    added = runner.invoke(
        app,
        ["user", "add", "by-analyst", "--side", "BY", "--role", "editor", "--password-stdin"],
        input="a-long-password\n",
    )
    assert added.exit_code == 0, added.output
    weak = runner.invoke(
        app,
        ["user", "add", "by-weak", "--side", "BY", "--role", "viewer", "--password-stdin"],
        input="short\n",
    )
    assert weak.exit_code == 1 and "at least 10 characters" in weak.stderr
    bank = runner.invoke(
        app,
        ["user", "add", "bank-x", "--side", "BANK", "--role", "viewer", "--password-stdin"],
        input="a-long-password\n",
    )
    assert bank.exit_code == 1 and "bank organization" in bank.stderr
    token = runner.invoke(app, ["user", "token", "by-analyst", "--days", "7"])
    assert token.exit_code == 0 and token.stdout.startswith("ust_")
    listed = json.loads(runner.invoke(app, ["user", "tokens", "by-analyst", "--json"]).stdout)
    assert len(listed) == 1 and listed[0]["revoked_at"] is None
    assert runner.invoke(app, ["user", "revoke", listed[0]["id"]]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["user", "tokens", "by-analyst", "--json"]).stdout)
    assert listed[0]["revoked_at"] is not None
    changed = runner.invoke(
        app, ["user", "passwd", "by-analyst", "--password-stdin"], input="another-long-password\n"
    )
    assert changed.exit_code == 0
    assert runner.invoke(app, ["user", "token", "nobody"]).exit_code == 1


def test_nomenclature_import_is_idempotent_and_reported(env: Path):
    from tests.conftest import shared_data

    folder = shared_data("nomenclature")
    first = runner.invoke(app, ["nomenclature", "import", "tnved", str(folder / "tnved-eaeu")])
    assert first.exit_code == 0, first.output
    assert "level 10:" in first.stdout  # the demo's built-in codes are updated, the rest added
    hs = runner.invoke(
        app, ["nomenclature", "import", "hs", str(folder / "hs2022-en" / "harmonized-system.csv")]
    )
    assert hs.exit_code == 0 and "headings without national subdivision" in hs.stdout
    again = runner.invoke(app, ["nomenclature", "import", "tnved", str(folder / "tnved-eaeu")])
    assert "added none; updated 0" in again.stdout
    status = json.loads(runner.invoke(app, ["nomenclature", "status", "--json"]).stdout)
    tnved = next(s for s in status if s["system"] == "tnved")
    assert tnved["by_level"]["10"] > 12715
    derived = runner.invoke(app, ["nomenclature", "crosswalk", "derive"])
    assert derived.exit_code == 0 and "TN VED → HS 2022: 12," in derived.stdout
    bad = env / "cw.csv"
    bad.write_text("from_system,from_code,to_system,to_code\nokved,1,hs,01\n", encoding="utf-8")
    refused = runner.invoke(app, ["nomenclature", "crosswalk", "import", str(bad)])
    assert refused.exit_code == 1 and "cw.csv, row 2, column «from_system»" in refused.stderr
    missing = runner.invoke(app, ["nomenclature", "import", "hs", str(env / "none.csv")])
    assert missing.exit_code == 2 and "is missing" in missing.stderr


def test_match_run_is_incremental_and_decisions_export_as_training_pairs(env: Path):
    runner = CliRunner()
    first = runner.invoke(app, ["match", "run", "--program", "1", "--top", "3"])
    assert first.exit_code == 0, first.output
    assert "items matched (0 unchanged)" in first.output and "accepted" in first.output
    again = runner.invoke(app, ["match", "run", "--program", "1"])
    assert again.exit_code == 0 and "0 items matched" in again.output, again.output
    assert runner.invoke(app, ["match", "run", "--program", "999999"]).exit_code == 1
    assert runner.invoke(app, ["match", "run", "--program", "1", "--against", "KZ"]).exit_code == 1
    out = env / "decisions.csv"
    exported = runner.invoke(app, ["match", "decisions", "--out", str(out)])
    assert exported.exit_code == 0 and "0 decisions" in exported.output
    assert out.read_text(encoding="utf-8").startswith("left_name,right_name,left_code")


def test_coverage_of_a_program_as_json_and_as_text(env: Path):
    assert runner.invoke(app, ["match", "run", "--program", "1", "--top", "10"]).exit_code == 0
    result = runner.invoke(app, ["coverage", "--program", "1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["program_id"] == 1 and data["against"] in ("BY", "RU")
    assert data["fully"] + data["partly"] + data["not_satisfiable"] == len(data["items"]) > 0
    assert any(s["enterprise"] for i in data["items"] for y in i["years"] for s in y["supplies"])
    text = runner.invoke(app, ["coverage", "--program", "1"])
    assert text.exit_code == 0 and "of the demanded quantity" in text.output
    assert runner.invoke(app, ["coverage", "--program", "999999"]).exit_code == 1
    planned = runner.invoke(app, ["coverage", "--program", "1", "--scenario", "all", "--json"])
    assert planned.exit_code == 0 and json.loads(planned.output)["scenario"] == "all"
    assert runner.invoke(app, ["coverage", "--program", "1", "--scenario", "dream"]).exit_code == 2


def test_trade_mirror_and_passport_export(env: Path):
    result = runner.invoke(
        app,
        [
            "trade",
            "mirror",
            "--from",
            "BY",
            "--to",
            "RU",
            "--year",
            "2022",
            "--critical",
            "DEMO-CRIT",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (year,) = data["years"]
    assert data["exporter"] == "BY" and year["low"] <= year["estimate"] <= year["high"]
    assert (
        runner.invoke(
            app, ["trade", "mirror", "--from", "BY", "--to", "RU", "--currency", "EUR"]
        ).exit_code
        == 2
    )
    table = runner.invoke(app, ["trade", "mirror", "--from", "BY", "--to", "RU", "--mutual"])
    assert table.exit_code == 0 and "2022" in table.output
    out = env / "passport.docx"
    exported = runner.invoke(
        app, ["passport", "export", "1", "--format", "docx", "--out", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    assert out.read_bytes()[:2] == b"PK"
    assert runner.invoke(app, ["passport", "export", "999", "--out", str(out)]).exit_code == 1


def test_trade_import_and_rates_from_the_command_line(env: Path):
    flows = env / "ct.csv"
    flows.write_text(
        "refYear,reporterISO,flowCode,partnerISO,cmdCode,qtyUnitAbbr,qty,primaryValue\n"
        "2022,BLR,X,RUS,848210,u,10,1000\n",
        encoding="utf-8",
    )
    done = runner.invoke(app, ["trade", "import", str(flows), "--layout", "comtrade"])
    assert done.exit_code == 0, done.output
    assert "1 rows read" in done.output and "1 summary rows" in done.output
    flows.write_text(
        "refYear,reporterISO,flowCode,partnerISO,cmdCode,primaryValue\n2022,BLR,X,RUS,84821,1\n",
        encoding="utf-8",
    )
    refused = runner.invoke(app, ["trade", "import", str(flows), "--layout", "comtrade"])
    assert refused.exit_code == 1 and "row 2" in refused.output and "cmdCode" in refused.output
    assert runner.invoke(app, ["trade", "import", str(flows), "--layout", "xml"]).exit_code == 2
    rates = env / "rates.csv"
    rates.write_text("period,pair,rate\n2022,USD/BYN,2.6\n", encoding="utf-8")
    stored = runner.invoke(app, ["trade", "rates", str(rates), "--source", "НБ РБ"])
    assert stored.exit_code == 0 and "2022: 1 USD = 2.6 BYN" in stored.output


def test_selection_exports_the_ocds_package_and_a_protocol(env: Path):
    out = env / "ocds.json"
    result = runner.invoke(app, ["selection", "export-ocds", "--out", str(out)])
    assert result.exit_code == 0, result.output
    package = json.loads(out.read_text(encoding="utf-8"))
    assert package["version"] == "1.1" and len(package["releases"]) >= 14  # 12 tenders, calls
    assert all(r["ocid"].startswith("ocds-unsync-") for r in package["releases"])
    later = runner.invoke(
        app, ["selection", "export-ocds", "--out", str(out), "--since", "2999-01-01"]
    )
    assert later.exit_code == 0 and json.loads(out.read_text())["releases"] == []
    bad = runner.invoke(app, ["selection", "export-ocds", "--out", str(out), "--since", "soon"])
    assert bad.exit_code == 2 and "is not a date" in bad.output
    pdf = env / "protocol.pdf"
    made = runner.invoke(app, ["selection", "protocol", "1", "--out", str(pdf)])
    assert made.exit_code == 0 and pdf.read_bytes()[:5] == b"%PDF-"
    missing = runner.invoke(app, ["selection", "protocol", "999999", "--out", str(pdf)])
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_finance_facility_and_schedule(env: Path, demo_url: str):
    from datetime import date
    from decimal import Decimal

    from unionsync.access.policy import SYSTEM
    from unionsync.core.money import Currency
    from unionsync.db.session import make_session_factory
    from unionsync.finance import facility
    from unionsync.finance.models import AllocationStatus, Facility
    from unionsync.finance.schedules import RepaymentMethod
    from unionsync.passports.models import RECONCILED_OR_LATER, Passport

    engine = make_engine(demo_url)
    with make_session_factory(engine)() as s:
        loan = Facility(
            name="Кредит",
            amount=Decimal(1000),
            currency=Currency.RUB,
            available_from=date(2022, 11, 1),
            available_until=date(2027, 12, 31),
        )
        s.add(loan)
        s.flush()
        passport = s.scalars(
            select(Passport).where(Passport.status.in_(RECONCILED_OR_LATER)).order_by(Passport.id)
        ).first()
        allocation = facility.allocate(s, SYSTEM, loan.id, passport.id, Decimal(600))
        allocation.status = AllocationStatus.APPROVED
        bank = next(p.organization_id for p in passport.participants if p.role.value == "bank")
        agreement = facility.sign_agreement(
            s,
            SYSTEM,
            allocation.id,
            number="КД-CLI",
            amount=Decimal(600),
            annual_rate=Decimal("0.06"),
            periods=6,
            method=RepaymentMethod.ANNUITY,
            signed_on=date(2024, 1, 1),
            first_due=date(2024, 2, 1),
            bank_id=bank,
        )
        s.commit()
        agreement_id = agreement.id
    engine.dispose()
    shown = runner.invoke(app, ["finance", "facility", "--json"])
    assert shown.exit_code == 0, shown.output
    row = next(r for r in json.loads(shown.stdout) if r["name"] == "Кредит")  # after the demo's
    assert (row["allocated"], row["agreements"], row["available"]) == ("600.00", 1, "1000.00")
    out = env / "schedule.xlsx"
    written = runner.invoke(
        app, ["finance", "schedule", "--agreement", str(agreement_id), "--out", str(out)]
    )
    assert written.exit_code == 0 and "6 installments" in written.stdout
    from openpyxl import load_workbook

    sheet = load_workbook(out).active
    principal = sum(Decimal(str(r[4])) for r in sheet.iter_rows(min_row=2, values_only=True))
    assert principal == Decimal(600)
    assert runner.invoke(app, ["finance", "schedule", "--agreement", "999999"]).exit_code == 1
    assert (
        runner.invoke(
            app, ["finance", "schedule", "--agreement", "1", "--out", str(env / "x.pdf")]
        ).exit_code
        == 2
    )


def test_finance_economics_of_a_demo_passport(env: Path):
    shown = runner.invoke(app, ["finance", "economics", "--passport", "1", "--json"])
    assert shown.exit_code == 0, shown.output
    result = json.loads(shown.stdout)
    assert result["passport"].startswith("СГ-") and result["flows"]
    assert {row["case"] for row in result["tornado"]} >= {"price +20 %", "rate +2 pp"}
    assert any("operating costs" in a for a in result["assumptions"])
    missing = runner.invoke(app, ["finance", "economics", "--passport", "999999"])
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_finance_a_floating_facility_and_its_rate_table(env: Path, demo_url: str):
    table = env / "rates.csv"
    table.write_text(
        "Ставка;Действует с;Ставка, %\n"
        "ставка рефинансирования;01.01.2024;9,5\n"
        "ставка рефинансирования;2024-06-01;9\n",
        encoding="utf-8",
    )
    loaded = runner.invoke(app, ["finance", "rates", str(table)])
    assert loaded.exit_code == 0, loaded.output
    assert "2 values added, 0 replaced" in loaded.stdout
    again = runner.invoke(app, ["finance", "rates", str(table)])
    assert "0 values added, 0 replaced" in again.stdout
    bad = env / "bad.csv"
    bad.write_text(
        "Ставка;Действует с;Ставка, %\n"
        "ставка рефинансирования;31.02.2024;9\n"
        "ставка рефинансирования;2024-07-01;сто\n"
        "ставка рефинансирования;2024-07-01;150\n",
        encoding="utf-8",
    )
    refused = runner.invoke(app, ["finance", "rates", str(bad)])
    assert (
        refused.exit_code == 1 and "3 error(s) in bad.csv; nothing was imported" in refused.output
    )
    assert "row 2" in refused.output and "Действует с" in refused.output
    made = runner.invoke(
        app,
        [
            "finance",
            "add-facility",
            "--name",
            "Плавающий кредит",
            "--amount",
            "1 000 000",
            "--from",
            "2024-01-01",
            "--until",
            "2026-12-31",
            "--reference",
            "ставка рефинансирования",
            "--margin",
            "1,5",
        ],
    )
    assert made.exit_code == 0, made.output
    from datetime import date
    from decimal import Decimal

    from unionsync.db.session import make_session_factory
    from unionsync.finance.facility import rate_on
    from unionsync.finance.models import Facility

    engine = make_engine(demo_url)
    with make_session_factory(engine)() as s:
        loan = s.scalars(select(Facility).where(Facility.name == "Плавающий кредит")).one()
        assert loan.amount == Decimal("1000000.00") and loan.margin == Decimal("0.015")
        assert rate_on(s, loan, date(2024, 3, 1)) == Decimal("0.110")
        assert rate_on(s, loan, date(2024, 6, 1)) == Decimal("0.105")
    engine.dispose()
    both = runner.invoke(
        app,
        [
            *("finance", "add-facility", "--name", "x", "--amount", "1"),
            *("--from", "2024-01-01", "--until", "2024-02-01", "--rate", "5", "--reference", "r"),
        ],
    )
    assert both.exit_code == 2 and "either --rate" in both.output


def test_roadmap_cpm_risk_and_derive(env: Path):
    derived = runner.invoke(app, ["roadmap", "derive"])
    assert derived.exit_code == 0 and "0 tasks created" in derived.stdout
    shown = runner.invoke(app, ["roadmap", "cpm", "--passport", "1", "--json"])
    assert shown.exit_code == 0, shown.output
    plan = json.loads(shown.stdout)
    assert plan["tasks"] and any(t["critical"] for t in plan["tasks"])
    assert plan["end"] == max(t["finish"] for t in plan["tasks"])
    assert runner.invoke(app, ["roadmap", "cpm", "--passport", "999999"]).exit_code == 1
    table = runner.invoke(app, ["roadmap", "cpm"])
    assert table.exit_code == 0 and "critical path" in table.stdout
    risk = runner.invoke(app, ["roadmap", "risk", "--runs", "500", "--seed", "3", "--json"])
    assert risk.exit_code == 0, risk.output
    found = json.loads(risk.stdout)
    whole = found["roadmap"]
    assert whole["p50"] <= whole["p80"] <= whole["p95"] and found["passports"]


def test_help_answers_without_importing_the_domains():
    """`--help` and a domain's group load only what they run: scikit-learn, the matching
    engine and the other groups' modules stay unimported."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from unionsync.cli import main\n"
        "sys.argv = ['unionsync', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "loaded = [m for m in ('sklearn', 'unionsync.matching.cli', 'unionsync.trade.cli',"
        " 'unionsync.demo.loader') if m in sys.modules]\n"
        "print('LOADED', loaded)\n"
    )
    for args in (["--help"], ["passport", "--help"]):
        done = subprocess.run(
            [sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True
        )
        assert "LOADED []" in done.stdout, (args, done.stdout[-500:])
    root = subprocess.run(
        [sys.executable, "-c", probe, "--help"], capture_output=True, text=True, check=True
    ).stdout
    for group in ("programs", "match", "sync", "passport", "trade", "roadmap", "finance"):
        assert f"  {group} " in root, group
    assert "<bool>" not in root  # flags are shown as flags, not as options taking a value


def test_a_domain_group_runs_through_its_lazy_stand_in(env: Path):
    listed = runner.invoke(app, ["passport", "list", "--json", "--status", "reconciled"])
    assert listed.exit_code == 0, listed.output
    passports = json.loads(listed.stdout)
    assert passports and {p["status"] for p in passports} == {"reconciled"}
    assert all(p["number"].startswith("СГ-") for p in passports)
    unknown = runner.invoke(app, ["passport", "list", "--status", "signed"])
    assert unknown.exit_code == 2 and "known: draft" in unknown.output


def test_programs_list_gives_the_ids_other_commands_take(env: Path):
    listed = runner.invoke(app, ["programs", "list", "--country", "BY", "--json"])
    assert listed.exit_code == 0, listed.output
    programs = json.loads(listed.stdout)
    assert len(programs) == 8 and {p["country"] for p in programs} == {"BY"}
    assert sum(p["items"] for p in programs) == 263
    coverage = runner.invoke(app, ["coverage", "--program", str(programs[0]["id"]), "--json"])
    assert coverage.exit_code == 0, coverage.output
    table = runner.invoke(app, ["programs", "list", "--limit", "3"])
    assert table.exit_code == 0 and "3 of 28 shown" in " ".join(table.stdout.split())
    nothing = runner.invoke(app, ["programs", "list", "--q", "no such program"])
    assert nothing.exit_code == 0 and "No program matches these filters." in nothing.stdout
    industry = runner.invoke(app, ["programs", "list", "--industry", "spaceships"])
    assert industry.exit_code == 2 and "known: agri-machinery" in industry.output


def test_stats_speaks_of_records_states_and_the_trade_figure(env: Path):
    table = runner.invoke(app, ["stats"], env={"COLUMNS": "120"})
    assert table.exit_code == 0, table.output
    out = table.stdout
    assert "Mutual trade in critical products" in out and "BYN" in out
    assert "match_seen" not in out and "shared_result" not in out  # internal tables left out
    assert "in_drawdown" not in out and "loan drawdown" in out  # states in words
    figures = json.loads(runner.invoke(app, ["stats", "--json"]).stdout)
    assert {t["reporter"] for t in figures["critical_trade"]} == {"BY", "RU"}


def test_coverage_and_mirror_speak_one_language_and_say_when_nothing_is_found(env: Path):
    listed = json.loads(runner.invoke(app, ["programs", "list", "--json"]).stdout)
    program = next(p for p in listed if p["country"] == "BY")
    shown = runner.invoke(
        app, ["coverage", "--program", str(program["id"])], env={"COLUMNS": "160"}
    )
    assert shown.exit_code == 0, shown.output
    assert "not satisfiable" in shown.stdout or "fully satisfiable" in shown.stdout
    assert " 796" not in shown.stdout  # units by name, not OKEI codes
    empty = runner.invoke(app, ["trade", "mirror", "--from", "BY", "--to", "RU", "--year", "2030"])
    assert empty.exit_code == 0 and "nothing to reconcile" in empty.stdout
    both = runner.invoke(
        app, ["trade", "mirror", "--from", "BY", "--to", "RU", "--mutual", "--year", "2022"]
    )
    assert "both directions" in both.stdout and "RU → BY" in both.stdout


def test_serve_runs_its_jobs_in_a_worker_process_that_ends_with_it(env: Path):
    """`unionsync serve` starts the job worker apart (its recomputations no longer hold the
    server's interpreter lock) and the worker stops when the server does."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(Path(sys.executable).parent / "unionsync"), "serve", "--port", str(port)]
    server = subprocess.Popen(
        command, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        workers = [c for c in children if b"worker" in Path(f"/proc/{c}/cmdline").read_bytes()]
        assert len(workers) == 1, children
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    deadline = time.monotonic() + 15
    while Path(f"/proc/{workers[0]}").exists() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not Path(f"/proc/{workers[0]}").exists(), "the worker outlived the server"
