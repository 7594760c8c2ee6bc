"""Backup and restore round-trip the demo on SQLite and PostgreSQL (and across them), refuse
to overwrite data, and refuse a damaged backup without writing anything."""

from __future__ import annotations

import json
import shutil
import tarfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from tests.conftest import scratch_postgres
from unionsync import config
from unionsync.access.audit import verify_chain
from unionsync.catalog.models import ProgramItemDemand
from unionsync.cli import app
from unionsync.db.backup import _tables
from unionsync.db.bootstrap import init_database
from unionsync.db.session import make_engine, make_session_factory, transaction
from unionsync.demo.loader import load_demo

runner = CliRunner()


@pytest.fixture
def pg_source() -> Iterator[str]:
    yield from scratch_postgres("backup_source")


@pytest.fixture
def pg_target() -> Iterator[str]:
    yield from scratch_postgres("backup_target")


def _use(monkeypatch: pytest.MonkeyPatch, data_dir: Path, url: str) -> None:
    monkeypatch.setenv("UNIONSYNC_DATA_DIR", str(data_dir))
    monkeypatch.setenv("UNIONSYNC_DATABASE_URL", url)
    config.get_settings.cache_clear()


def _snapshot(url: str) -> dict[str, object]:
    """Rows per table and a few exact values: what a round trip must keep."""
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        counts = {
            t.name: s.execute(select(func.count()).select_from(t)).scalar_one() for t in _tables()
        }
        amounts = s.execute(
            select(func.sum(ProgramItemDemand.quantity), func.sum(ProgramItemDemand.value_amount))
        ).one()
        chain = verify_chain(s)
    engine.dispose()
    sums = tuple(Decimal(a).normalize() for a in amounts)
    return {"counts": counts, "amounts": sums, "chain": chain.ok}


def _demo_at(url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, data_dir, url)
    result = runner.invoke(app, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output


def _round_trip(source: str, target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    archive = tmp_path / "backup.tar.gz"
    _use(monkeypatch, tmp_path / "source-data", source)
    made = runner.invoke(app, ["backup", "--out", str(archive)])
    assert made.exit_code == 0, made.output
    before = _snapshot(source)
    # a fresh installation elsewhere: its own data dir, the source's audit keys handed over
    _use(monkeypatch, tmp_path / "target-data", target)
    restored = runner.invoke(
        app,
        ["restore", str(archive), "--audit-keys", str(tmp_path / "source-data" / "audit_keys")],
    )
    assert restored.exit_code == 0, restored.output
    after = _snapshot(target)
    assert after == before and after["chain"] is True
    assert sum(after["counts"].values()) > 5_000  # type: ignore[union-attr]
    # the restored installation works: a change is audited on top of the restored chain
    verify = runner.invoke(app, ["audit", "verify"])
    assert verify.exit_code == 0, verify.output
    config.get_settings.cache_clear()


def test_sqlite_demo_round_trips(
    demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    source = tmp_path / "source.db"
    shutil.copy(demo_template, source)
    # the demo template was sealed with this test process's key: hand it over as a key file
    _round_trip_with_process_key(f"sqlite:///{source}", tmp_path, monkeypatch)


def _round_trip_with_process_key(source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from unionsync.access.audit import KEYS

    keys = tmp_path / "source-data" / "audit_keys"
    keys.mkdir(parents=True)
    for key_id, key in KEYS.keys.items():
        (keys / f"{key_id}.key").write_text(key.hex(), encoding="ascii")
    _round_trip(source, f"sqlite:///{tmp_path / 'target.db'}", tmp_path, monkeypatch)


@pytest.mark.postgres
def test_postgresql_demo_round_trips_into_postgresql(
    pg_source: str, pg_target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    _demo_at(pg_source, tmp_path / "source-data", monkeypatch)
    _round_trip(pg_source, pg_target, tmp_path, monkeypatch)
    # ids continue after the restored ones (sequences were moved on)
    engine = make_engine(pg_target)
    with transaction(make_session_factory(engine)) as s:
        top = s.execute(text("SELECT max(id) FROM industry")).scalar_one()
        new = s.execute(
            text(
                "INSERT INTO industry (code, name_ru, name_en) VALUES ('x', 'x', 'x') RETURNING id"
            )
        ).scalar_one()
        assert new > top
        s.rollback()
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_backup_restores_into_sqlite(
    pg_source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    _demo_at(pg_source, tmp_path / "source-data", monkeypatch)
    _round_trip(pg_source, f"sqlite:///{tmp_path / 'target.db'}", tmp_path, monkeypatch)


def test_restore_refuses_a_database_with_data_and_a_damaged_backup(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from unionsync.access.audit import KEYS

    keys = tmp_path / "keys"
    keys.mkdir()
    for key_id, key in KEYS.keys.items():
        (keys / f"{key_id}.key").write_text(key.hex(), encoding="ascii")
    archive = tmp_path / "b.tar.gz"
    _use(monkeypatch, tmp_path / "d1", demo_url)
    assert runner.invoke(app, ["backup", "--out", str(archive)]).exit_code == 0
    over = runner.invoke(app, ["restore", str(archive), "--audit-keys", str(keys)])
    assert over.exit_code == 1 and "not empty" in over.output

    # an audit entry edited inside the backup: the restore checks the chain and writes nothing
    damaged = tmp_path / "damaged.tar.gz"
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as source:
        source.extractall(unpacked, filter="data")
    entries = (unpacked / "db" / "audit_entry.jsonl").read_text("utf-8").splitlines()
    first = json.loads(entries[0])
    first["actor"] = "mallory"
    entries[0] = json.dumps(first, ensure_ascii=False)
    (unpacked / "db" / "audit_entry.jsonl").write_text("\n".join(entries) + "\n", "utf-8")
    with tarfile.open(damaged, "w:gz") as target:
        for name in ("manifest.json", "db"):
            target.add(unpacked / name, arcname=name)
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    init_database(empty, make_session_factory(make_engine(empty)))
    _use(monkeypatch, tmp_path / "d2", empty)
    refused = runner.invoke(app, ["restore", str(damaged), "--audit-keys", str(keys)])
    config.get_settings.cache_clear()
    assert refused.exit_code == 1 and "audit chain" in refused.output
    engine = make_engine(empty)
    with make_session_factory(engine)() as s:
        assert s.execute(text("SELECT count(*) FROM program")).scalar_one() == 0
    engine.dispose()


def test_a_backup_taken_while_loading_stays_consistent(tmp_path: Path):
    """The dump reads one snapshot: rows per table match the audit head it records."""
    from unionsync.config import Settings
    from unionsync.db.backup import backup

    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = make_engine(url)
    factory = make_session_factory(engine)
    init_database(url, factory)
    with transaction(factory) as s:
        load_demo(s)
    manifest = backup(
        engine, Settings(data_dir=tmp_path / "data", database_url=url), tmp_path / "b.tgz"
    )
    engine.dispose()
    assert manifest["tables"]["audit_entry"] == manifest["audit_head"]["seq"]
    assert (tmp_path / "b.tgz").exists() and not (tmp_path / "b.tgz.partial").exists()
