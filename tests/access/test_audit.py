"""The audit trail records who changed what, refuses edits, and its chain exposes tampering.

Tampering is simulated as a database administrator would do it: drop the append-only
triggers, then edit, delete or reorder rows. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, delete, select, text, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from unionsync import config
from unionsync.access.audit import (
    ACTOR_KEY,
    ADDRESS_KEY,
    GENESIS,
    HASHED_FIELDS,
    KEYS,
    AuditKeys,
    checkpoint,
    entry_hash,
    record,
    verify_chain,
    verify_checkpoint,
)
from unionsync.access.models import AuditEntry, Role, Side
from unionsync.access.policy import Principal
from unionsync.catalog import service
from unionsync.catalog.schemas import ProgramCreate, ProgramUpdate
from unionsync.cli import app as cli_app
from unionsync.db.session import make_engine
from unionsync.reference.models import Industry

EDITOR = Principal("by-editor", Side.BY, Role.EDITOR, user_id=42)


@pytest.fixture
def changes(session: Session) -> Session:
    """Three audited changes made by a BY editor from one address."""
    session.info[ACTOR_KEY] = EDITOR
    session.info[ADDRESS_KEY] = "10.1.2.3"
    industry = Industry(code="chem", name_ru="Химия", name_en="Chemicals")
    session.add(industry)
    session.flush()
    program = service.create_program(
        session,
        EDITOR,
        ProgramCreate(
            country_code="BY",
            industry_id=industry.id,
            code="BY-A-1",
            title="Было",
            period_start=2024,
            period_end=2026,
        ),
    )
    service.update_program(session, EDITOR, program.id, ProgramUpdate(title="Стало"))
    service.create_program(
        session,
        EDITOR,
        ProgramCreate(
            country_code="BY",
            industry_id=industry.id,
            code="BY-A-2",
            title="Второй",
            period_start=2024,
            period_end=2026,
        ),
    )
    return session


def entries(session: Session) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def drop_append_only_triggers(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("DROP TRIGGER audit_entry_no_change ON audit_entry"))
    else:
        connection.execute(text("DROP TRIGGER audit_entry_no_update"))
        connection.execute(text("DROP TRIGGER audit_entry_no_delete"))


def test_changes_are_recorded_with_who_what_before_after_and_where(changes: Session):
    rows = [e for e in entries(changes) if e.entity == "program"]
    assert [e.action for e in rows] == ["create", "update", "create"]
    update_entry = rows[1]
    assert (update_entry.actor, update_entry.actor_id, update_entry.side) == ("by-editor", 42, "BY")
    assert update_entry.address == "10.1.2.3"
    assert update_entry.before["title"] == "Было" and update_entry.after["title"] == "Стало"
    assert "updated_at" not in update_entry.after
    assert verify_chain(changes).ok


def test_the_table_refuses_updates_and_deletes(changes: Session):
    connection = changes.connection()
    with pytest.raises(DatabaseError, match="append-only"), connection.begin_nested():
        connection.execute(update(AuditEntry).values(actor="mallory"))
    with pytest.raises(DatabaseError, match="append-only"), connection.begin_nested():
        connection.execute(delete(AuditEntry))


def test_an_edited_entry_is_named(changes: Session):
    connection = changes.connection()
    drop_append_only_triggers(connection)
    target = entries(changes)[1]
    connection.execute(update(AuditEntry).where(AuditEntry.id == target.id).values(actor="mallory"))
    changes.expire_all()
    report = verify_chain(changes)
    assert not report.ok and report.bad_seq == target.seq and "edited" in report.reason


def test_a_deleted_entry_is_noticed_at_the_next_one(changes: Session):
    connection = changes.connection()
    drop_append_only_triggers(connection)
    victim = entries(changes)[1]
    victim_id, victim_seq = victim.id, victim.seq
    connection.execute(delete(AuditEntry).where(AuditEntry.id == victim_id))
    changes.expire_all()
    report = verify_chain(changes)
    assert not report.ok and report.bad_seq == victim_seq + 1 and "deleted" in report.reason


def test_reordered_entries_break_the_links(changes: Session):
    connection = changes.connection()
    drop_append_only_triggers(connection)
    (first_id, first_seq), (second_id, second_seq) = [(e.id, e.seq) for e in entries(changes)[1:3]]
    connection.execute(update(AuditEntry).where(AuditEntry.id == first_id).values(seq=-1))
    connection.execute(update(AuditEntry).where(AuditEntry.id == second_id).values(seq=first_seq))
    connection.execute(update(AuditEntry).where(AuditEntry.id == first_id).values(seq=second_seq))
    changes.expire_all()
    report = verify_chain(changes)
    assert not report.ok and report.bad_seq == first_seq
    assert "reordered" in report.reason or "edited" in report.reason


def test_cli_verify_exits_non_zero_on_tampering(demo_url: str, monkeypatch, tmp_path):
    monkeypatch.setenv("UNIONSYNC_DATABASE_URL", demo_url)
    monkeypatch.setenv("UNIONSYNC_DATA_DIR", str(tmp_path))
    config.get_settings.cache_clear()
    runner = CliRunner()
    try:
        intact = runner.invoke(cli_app, ["audit", "verify"])
        assert intact.exit_code == 0 and "intact" in intact.stdout
        engine = make_engine(demo_url)
        with engine.begin() as connection:
            drop_append_only_triggers(connection)
            connection.execute(
                update(AuditEntry).where(AuditEntry.seq == 1).values(after={"forged": True})
            )
        engine.dispose()
        broken = runner.invoke(cli_app, ["audit", "verify"])
    finally:
        config.get_settings.cache_clear()
    assert broken.exit_code == 1
    assert "broken at entry 1" in broken.stderr and "edited" in broken.stderr


def _reseal_from(connection: Connection, session: Session, start_seq: int, key: bytes | None):
    """What an attacker with the project's code does: rewrite the entries from `start_seq`
    on, re-hashing each with `entry_hash` under `key` so that every link matches again."""
    rows = entries(session)
    prev = next((e.hash for e in rows if e.seq == start_seq - 1), GENESIS)
    for entry in rows:
        if entry.seq < start_seq:
            continue
        fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
        fields["prev_hash"] = prev
        prev = entry_hash(fields, key)
        connection.execute(
            update(AuditEntry)
            .where(AuditEntry.id == entry.id)
            .values(
                prev_hash=fields["prev_hash"],
                hash=prev,
                key_id=None if key is None else entry.key_id,
            )
        )
    session.expire_all()


def test_an_edit_resealed_without_the_key_is_named(changes: Session):
    connection = changes.connection()
    drop_append_only_triggers(connection)
    target = entries(changes)[1]
    connection.execute(update(AuditEntry).where(AuditEntry.id == target.id).values(actor="mallory"))
    changes.expire_all()
    for guessed in (None, b"guessed key"):
        _reseal_from(connection, changes, target.seq, guessed)
        report = verify_chain(changes)
        assert not report.ok and report.bad_seq == target.seq, report


def test_a_cut_tail_passes_the_chain_but_not_the_checkpoint(changes: Session):
    point = checkpoint(changes)
    assert verify_checkpoint(changes, point).ok
    connection = changes.connection()
    drop_append_only_triggers(connection)
    last = entries(changes)[-1].seq
    connection.execute(delete(AuditEntry).where(AuditEntry.seq >= last - 1))
    changes.expire_all()
    assert verify_chain(changes).ok  # a chain alone cannot see its newest entries go
    report = verify_checkpoint(changes, point)
    assert not report.ok and "cut" in report.reason and report.bad_seq == last


def test_a_chain_rewritten_with_the_key_is_caught_by_the_checkpoint(changes: Session):
    point = checkpoint(changes)
    connection = changes.connection()
    drop_append_only_triggers(connection)
    first = entries(changes)[0]
    connection.execute(update(AuditEntry).where(AuditEntry.id == first.id).values(actor="mallory"))
    changes.expire_all()
    _reseal_from(connection, changes, first.seq, KEYS.keys[first.key_id])
    assert verify_chain(changes).ok  # whoever holds the key can re-seal the chain …
    report = verify_checkpoint(changes, point)
    assert not report.ok and "rewritten" in report.reason  # … but not the checkpoint


def test_a_forged_checkpoint_is_refused(changes: Session):
    point = checkpoint(changes) | {"seq": 1}
    report = verify_checkpoint(changes, point)
    assert not report.ok and "signature" in report.reason


def test_rotating_the_key_keeps_old_entries_verifiable(changes: Session, tmp_path):
    folder = tmp_path / "keys"
    KEYS.load(folder)
    old = KEYS.current
    record(changes, "sign_in", "user", 1)
    new = KEYS.rotate(folder)
    record(changes, "sign_in", "user", 1)
    assert new != old and {e.key_id for e in entries(changes)[-2:]} == {old, new}
    assert verify_chain(changes).ok
    fresh = AuditKeys()
    fresh.load(folder)
    assert fresh.current == new and set(fresh.keys) >= {old, new}
    (folder / f"{old}.key").unlink()
    lost = AuditKeys()
    lost.load(folder)
    saved = dict(KEYS.keys)
    KEYS.keys.pop(old or "")
    try:
        report = verify_chain(changes)
    finally:
        KEYS.keys.update(saved)
    assert not report.ok and (old or "") in report.reason


def test_cli_checkpoint_then_verify_detects_a_cut_tail(demo_url: str, monkeypatch, tmp_path):
    monkeypatch.setenv("UNIONSYNC_DATABASE_URL", demo_url)
    monkeypatch.setenv("UNIONSYNC_DATA_DIR", str(tmp_path))
    config.get_settings.cache_clear()
    runner = CliRunner()
    point = tmp_path / "head.json"
    try:
        written = runner.invoke(cli_app, ["audit", "checkpoint", "--out", str(point)])
        assert written.exit_code == 0, written.output
        intact = runner.invoke(cli_app, ["audit", "verify", "--checkpoint", str(point)])
        assert intact.exit_code == 0 and "checkpoint entry" in intact.stdout
        engine = make_engine(demo_url)
        with engine.begin() as connection:
            drop_append_only_triggers(connection)
            top = connection.execute(text("SELECT max(seq) FROM audit_entry")).scalar_one()
            connection.execute(delete(AuditEntry).where(AuditEntry.seq == top))
        engine.dispose()
        plain = runner.invoke(cli_app, ["audit", "verify"])
        cut = runner.invoke(cli_app, ["audit", "verify", "--checkpoint", str(point)])
    finally:
        config.get_settings.cache_clear()
    assert plain.exit_code == 0
    assert cut.exit_code == 1 and "cut" in cut.stderr
