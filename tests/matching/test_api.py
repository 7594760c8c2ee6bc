"""Matching over HTTP: runs as background jobs that survive a restart, review by API and pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.conftest import csrf_of
from unionsync.app import create_app
from unionsync.db.session import make_engine, make_session_factory
from unionsync.matching.models import MatchRun, RunStatus


def by_program(client: TestClient) -> dict:
    programs = client.get("/api/v1/programs", params={"country": "BY"}).json()["items"]
    return programs[0]


def test_a_run_is_queued_carried_out_and_its_matches_decided(client: TestClient):
    program = by_program(client)
    started = client.post("/api/v1/match/runs", json={"program_id": program["id"], "top": 3})
    assert started.status_code == 202, started.text
    run = started.json()
    assert run["status"] == "queued" and run["against"] == "RU"
    assert started.headers["Location"] == f"/api/v1/match/runs/{run['id']}"
    # the run, then the refresh of the shared results its matches made stale
    assert client.app.state.jobs.run_pending() == 2
    done = client.get(started.headers["Location"]).json()
    assert done["status"] == "done" and done["accepted"] > 0 and done["finished_at"]
    listed = client.get(
        "/api/v1/match/matches", params={"program_id": program["id"], "per_page": 200}
    ).json()
    assert listed["total"] == done["accepted"] + done["review"]
    first = listed["items"][0]
    assert first["item"]["owner"] == program["code"] and first["evidence"]
    assert {"feature", "value", "weight", "sentence"} <= set(first["evidence"][0])
    decided = client.post(
        f"/api/v1/match/matches/{first['id']}/decision", json={"decision": "rejected"}
    )
    assert decided.status_code == 200
    assert decided.json()["decision"] == "rejected" and decided.json()["decided_by"] == "by-editor"
    rejected = client.get(
        "/api/v1/match/matches", params={"program_id": program["id"], "decision": "rejected"}
    ).json()
    assert [m["id"] for m in rejected["items"]] == [first["id"]]


def test_runs_are_refused_for_the_partners_programs_and_bad_input(client: TestClient):
    ru = client.get("/api/v1/programs", params={"country": "RU"}).json()["items"][0]
    assert client.post("/api/v1/match/runs", json={"program_id": ru["id"]}).status_code == 403
    program = by_program(client)
    wrong = client.post("/api/v1/match/runs", json={"program_id": program["id"], "top": 0})
    assert wrong.status_code == 422
    missing = client.post("/api/v1/match/runs", json={"program_id": 999_999})
    assert missing.status_code == 404
    assert client.app.state.jobs.pending() == 0


def test_queued_and_interrupted_runs_resume_after_a_restart(client: TestClient):
    program = by_program(client)
    first = client.post("/api/v1/match/runs", json={"program_id": program["id"]}).json()
    settings = client.app.state.settings
    # the server stops before the job ran; a new one over the same data directory carries it out
    restarted = create_app(settings)
    assert restarted.state.jobs.pending() == 1
    assert restarted.state.jobs.run_pending() == 2  # the run and the refresh it queued
    assert client.get(f"/api/v1/match/runs/{first['id']}").json()["status"] == "done"
    # a run cut off half-way (status running, its job taken off the queue) is queued again
    second = client.post("/api/v1/match/runs", json={"program_id": program["id"]}).json()
    restarted.state.jobs.huey.flush()
    engine = make_engine(settings.resolved_database_url())
    with make_session_factory(engine)() as session:
        session.execute(
            update(MatchRun).where(MatchRun.id == second["id"]).values(status=RunStatus.RUNNING)
        )
        session.commit()
    engine.dispose()
    again = create_app(settings)
    assert again.state.jobs.recover() == 1
    assert again.state.jobs.run_pending() >= 1  # the run (and any refresh queued meanwhile)
    assert client.get(f"/api/v1/match/runs/{second['id']}").json()["status"] == "done"


def test_review_pages_run_show_and_decide(client: TestClient):
    program = by_program(client)
    page = client.get("/matching")
    assert page.status_code == 200 and program["code"] in page.text
    assert 'href="/matching"' in client.get("/programs").text  # in the main menu
    token = csrf_of(client, "/matching")
    queued = client.post(
        "/matching/runs",
        data={"program_id": program["id"], "csrf_token": token},
        follow_redirects=False,
    )
    assert queued.status_code == 303
    assert 'http-equiv="refresh"' in client.get("/matching").text  # followed while it runs
    client.app.state.jobs.run_pending()
    review = client.get(
        "/matching/review", params={"program_id": program["id"], "band": "accept", "state": ""}
    )
    assert review.status_code == 200
    cards = re.findall(r'data-match="(\d+)"', review.text)
    assert len(cards) >= 2 and "/static/js/review.js" in review.text
    assert "codes agree" in review.text or "коды совпадают" in review.text
    decided = client.post(
        f"/matching/matches/{cards[0]}/decision",
        data={
            "decision": "accepted",
            "back": f"/matching/review?program_id={program['id']}",
            "next_id": cards[1],
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert decided.status_code == 303
    assert decided.headers["location"].endswith(f"focus={cards[1]}#m{cards[1]}")
    accepted = client.get(
        "/matching/review", params={"program_id": program["id"], "state": "accepted"}
    )
    assert re.findall(r'data-match="(\d+)"', accepted.text) == [cards[0]]
    outside = client.post(
        f"/matching/matches/{cards[0]}/decision",
        data={"decision": "rejected", "back": "https://evil.example/", "csrf_token": token},
        follow_redirects=False,
    )
    assert outside.headers["location"].startswith("/matching/review")


def test_decisions_reorder_the_review_by_what_teaches_most(client: TestClient):
    program = by_program(client)
    client.post("/api/v1/match/runs", json={"program_id": program["id"], "top": 10})
    client.app.state.jobs.run_pending()
    listed = client.get(
        "/api/v1/match/matches", params={"program_id": program["id"], "per_page": 200}
    ).json()["items"]
    page = client.get("/matching/review", params={"order": "teaching"})
    assert page.status_code == 200 and 'id="teaching-note"' in page.text
    assert "at least 3" in page.text or "не менее 3" in page.text  # no model yet
    # the most and the least probable pairs, decided as an analyst would
    ranked = sorted(listed, key=lambda m: m["probability"])
    for match, verdict in [
        *((m, "rejected") for m in ranked[:8]),
        *((m, "accepted") for m in ranked[-8:]),
    ]:
        answer = client.post(
            f"/api/v1/match/matches/{match['id']}/decision", json={"decision": verdict}
        )
        assert answer.status_code == 200
    assert client.app.state.jobs.run_pending() >= 1  # the order is learnt in the background
    ordered = client.get(
        "/api/v1/match/matches", params={"undecided": True, "order": "teaching"}
    ).json()["items"]
    assert ordered[0]["teaching_rank"] == 0 and ordered[0]["learner_probability"] is not None
    ranks = [m["teaching_rank"] for m in ordered]
    assert ranks == sorted(ranks)
    page = client.get("/matching/review", params={"order": "teaching"})
    assert "by your decisions" in page.text or "по вашим решениям" in page.text
    bad = client.get("/api/v1/match/matches", params={"order": "shuffle"})
    assert bad.status_code == 422 and "order" in bad.text
