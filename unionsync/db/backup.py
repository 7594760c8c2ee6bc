"""Backup and restore of an installation: the database, the files beside it, and a manifest.

A backup is one `.tar.gz`:
- `manifest.json`: format, time, schema revision, the rows per table, the audit chain's head,
  the files with their SHA-256, and the settings without secrets;
- `db/<table>.jsonl`: every row of every table, read in one snapshot (a REPEATABLE READ
  transaction on PostgreSQL, one read transaction on SQLite), so the copy is consistent while
  the server keeps running; being logical, it restores into either database;
- `files/…`: the trade Parquet datasets, the cached vectors and the job store (copied with
  SQLite's online backup); the audit keys and the cookie secret only with `--include-secrets`
  (keep them apart from the data they protect).

`restore` writes into an empty installation, in one transaction: the schema at the backup's
revision, every row, then the checks (rows per table and the audit chain against the manifest's
head) before the commit; after it, the schema is brought to the current revision and the files
are put back. A failed check writes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, func, insert, inspect, select, text
from sqlalchemy.orm import Session

from unionsync import __version__
from unionsync.access.audit import KEYS, audit_key_dir, verify_chain
from unionsync.access.models import AuditEntry
from unionsync.config import SECRET_FILE_NAME, Settings
from unionsync.db.base import Base
from unionsync.db.migrate import upgrade

FORMAT = "unionsync-backup/1"
BATCH = 1_000
FILE_DIRS = ("trade", "embeddings")  # directories of the data dir that hold data
JOB_STORE = "jobs.db"
Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup that cannot be written or restored, with the reason in words."""


def _quiet(_step: str) -> None:
    """No progress reporting."""


# --- values ----------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    """A column value as JSON keeps it exactly (decimals, times and bytes tagged)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value.value if hasattr(value, "value") and isinstance(value, str) else value
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict | list):
        return {"$json": value}
    raise BackupError(f"cannot back up a value of type {type(value).__name__}")


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    tag, inner = next(iter(value.items()))
    if tag == "$dec":
        return Decimal(inner)
    if tag == "$dt":
        return datetime.fromisoformat(inner)
    if tag == "$date":
        return date.fromisoformat(inner)
    if tag == "$bytes":
        return base64.b64decode(inner)
    if tag == "$json":
        return inner
    raise BackupError(f"unknown value tag {tag!r} in the backup")


def _tables() -> list[Table]:
    import unionsync.app  # noqa: F401  (every model registered on the metadata)

    return list(Base.metadata.sorted_tables)


def _revision(session: Session) -> str:
    return str(session.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def _audit_head(session: Session) -> dict[str, Any]:
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return {"seq": last[0], "hash": last[1]} if last else {"seq": 0, "hash": None}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- backup ----------------------------------------------------------------------------------


def backup(
    engine: Engine,
    settings: Settings,
    out: Path,
    *,
    include_secrets: bool = False,
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """Write the installation to `out` (.tar.gz); returns the manifest."""
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        (staging / "db").mkdir()
        counts, revision, head = _dump_database(engine, staging / "db", progress)
        files = _copy_files(settings, staging / "files", include_secrets, progress)
        manifest = {
            "format": FORMAT,
            "unionsync": __version__,
            "created_at": datetime.now(UTC).isoformat(),
            "database": engine.dialect.name,
            "revision": revision,
            "tables": counts,
            "audit_head": head,
            "files": files,
            "secrets_included": include_secrets,
            "settings": json.loads(
                settings.model_dump_json(exclude={"secret_key", "database_url"})
            ),
        }
        (staging / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        progress("packing")
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(staging / "manifest.json", arcname="manifest.json")
            archive.add(staging / "db", arcname="db")
            if (staging / "files").exists():
                archive.add(staging / "files", arcname="files")
        partial.replace(out)  # a backup file is complete or absent
    return manifest


def _dump_database(
    engine: Engine, folder: Path, progress: Progress
) -> tuple[dict[str, int], str, dict[str, Any]]:
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin(), Session(bind=connection) as session:
            revision, head = _revision(session), _audit_head(session)
            for table in _tables():
                progress(f"table {table.name}")
                count = 0
                with (folder / f"{table.name}.jsonl").open("w", encoding="utf-8") as handle:
                    order = list(table.primary_key.columns)
                    rows = connection.execution_options(yield_per=BATCH).execute(
                        select(table).order_by(*order)
                    )
                    for row in rows.mappings():
                        record = {k: _encode(v) for k, v in row.items()}
                        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                        count += 1
                counts[table.name] = count
    return counts, revision, head


def _copy_files(
    settings: Settings, target: Path, include_secrets: bool, progress: Progress
) -> dict[str, str]:
    """The data directory's files worth keeping, copied to `target`; name → SHA-256."""
    data = settings.data_dir
    copied: dict[str, str] = {}

    def keep(source: Path, name: str) -> None:
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
        copied[name] = _sha256(destination)

    for folder in FILE_DIRS:
        progress(f"files {folder}")
        for path in sorted((data / folder).rglob("*")) if (data / folder).exists() else []:
            if path.is_file():
                keep(path, path.relative_to(data).as_posix())
    jobs = data / JOB_STORE
    if jobs.exists():  # SQLite's online backup: consistent while the worker writes
        destination = target / JOB_STORE
        destination.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(jobs) as source, sqlite3.connect(destination) as copy:
            source.backup(copy)
        copied[JOB_STORE] = _sha256(destination)
    if include_secrets:
        keys = audit_key_dir(data)
        for path in sorted(keys.glob("*")) if keys.exists() else []:
            keep(path, f"audit_keys/{path.name}")
        if (data / SECRET_FILE_NAME).exists():
            keep(data / SECRET_FILE_NAME, SECRET_FILE_NAME)
    return copied


# --- restore ---------------------------------------------------------------------------------


def read_manifest(archive_path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            member = archive.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            manifest: dict[str, Any] = json.loads(member.read().decode("utf-8"))
    except (tarfile.TarError, KeyError, OSError, ValueError) as exc:
        raise BackupError(f"{archive_path}: not a UnionSync backup ({exc})") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive_path}: unknown backup format {manifest.get('format')!r}")
    return manifest


def restore(
    engine: Engine,
    settings: Settings,
    archive_path: Path,
    *,
    audit_keys: Path | None = None,
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """Restore `archive_path` into the empty installation of `settings`; returns the manifest."""
    manifest = read_manifest(archive_path)
    url = settings.resolved_database_url()
    _require_empty(engine)
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(staging, filter="data")
        _check_files(staging / "files", manifest)
        _load_keys(staging / "files", settings, audit_keys)
        progress("schema")
        upgrade(url, manifest["revision"])
        with Session(engine) as session, session.begin():
            _load_rows(session, staging / "db", progress)
            _check(session, manifest)
        progress("upgrade")
        upgrade(url)
        _put_files(staging / "files", settings)
    return manifest


def _require_empty(engine: Engine) -> None:
    """Refuse to restore over data: only an empty (or new) installation is a target."""
    inspector = inspect(engine)
    # seeded by every installation (data_version by its migration); replaced by the backup's
    reference = {"country", "industry", "data_version"}
    with engine.connect() as connection:
        for table in _tables():
            if table.name in reference or not inspector.has_table(table.name):
                continue
            if connection.execute(select(func.count()).select_from(table)).scalar_one():
                raise BackupError(
                    f"the database is not empty (table {table.name} has rows): restore "
                    "needs an empty installation"
                )


def _check_files(folder: Path, manifest: dict[str, Any]) -> None:
    for name, digest in manifest.get("files", {}).items():
        path = folder / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"the backup's file {name} is missing or damaged")


def _load_keys(files: Path, settings: Settings, extra: Path | None) -> None:
    """The audit keys that verify the restored chain: the installation's, those given, and
    those the backup carries."""
    for folder in (audit_key_dir(settings.data_dir), extra, files / "audit_keys"):
        if folder is None or not folder.is_dir():
            continue
        for path in folder.glob("*.key"):
            KEYS.add(bytes.fromhex(path.read_text(encoding="ascii").strip()), current=False)


def _load_rows(session: Session, folder: Path, progress: Progress) -> None:
    connection = session.connection()
    for table in reversed(_tables()):
        connection.execute(table.delete())  # only the seeded reference rows are there
    for table in _tables():
        path = folder / f"{table.name}.jsonl"
        if not path.exists():
            continue
        progress(f"table {table.name}")
        for batch in _batches(path):
            connection.execute(insert(table), batch)
        if connection.dialect.name == "postgresql" and "id" in table.columns:
            connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                    f"COALESCE((SELECT max(id) FROM {table.name}), 0) + 1, false)"
                ),
                {"t": table.name},
            )


def _batches(path: Path) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            batch.append({k: _decode(v) for k, v in json.loads(line).items()})
            if len(batch) >= BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def _check(session: Session, manifest: dict[str, Any]) -> None:
    """Rows per table as the manifest says, and an intact audit chain ending at its head."""
    connection = session.connection()
    for table in _tables():
        expected = manifest["tables"].get(table.name, 0)
        found = connection.execute(select(func.count()).select_from(table)).scalar_one()
        if found != expected:
            raise BackupError(f"table {table.name}: {found} rows restored, {expected} expected")
    report = verify_chain(session)
    if not report.ok:
        raise BackupError(
            f"the restored audit chain does not verify at entry {report.bad_seq}: {report.reason}"
        )
    if _audit_head(session) != manifest["audit_head"]:
        raise BackupError("the restored audit chain does not end at the backup's head")


def _put_files(folder: Path, settings: Settings) -> None:
    data = settings.data_dir
    data.mkdir(parents=True, exist_ok=True)
    if not folder.exists():
        return
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(folder).as_posix()
        target = data / name
        if name.startswith("audit_keys/"):
            target = audit_key_dir(data) / path.name
        if target.exists() and (name.startswith("audit_keys/") or name == SECRET_FILE_NAME):
            continue  # the installation's own secrets stay
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def describe(manifest: dict[str, Any]) -> str:
    """One paragraph for the command line."""
    rows = sum(manifest["tables"].values())
    head = manifest["audit_head"]
    out = io.StringIO()
    out.write(
        f"{rows:,} rows in {len(manifest['tables'])} tables, {len(manifest['files'])} files, "
        f"audit chain head {head['seq']}"
    )
    if not manifest.get("secrets_included"):
        out.write(" (audit keys and the cookie secret not included: back them up apart)")
    return out.getvalue()
