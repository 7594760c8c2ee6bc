"""The API under a schema-driven fuzz (schemathesis): over every documented operation, as a
writer and as a bank viewer, on SQLite and on PostgreSQL, no answer is a server error, every
answer matches its documented status, media type and body schema, bad input is refused, and
every answer (errors included) carries the security headers.

Bounded: a fixed number of examples per operation (`FUZZ_EXAMPLES`, default 12), derandomised
so a failure replays. Revoking tokens is left out (it would revoke the fuzzer's own token; the
route has its own tests).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import issue_demo_token, make_settings, scratch_postgres
from unionsync.app import create_app
from unionsync.db.bootstrap import init_database
from unionsync.db.session import make_engine, make_session_factory, transaction
from unionsync.demo.loader import load_demo

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options")


def security_headers(ctx: object, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """Every answer, a refused or failed one too, carries the security headers."""
    missing = [h for h in SECURITY_HEADERS if h not in {k.lower() for k in response.headers}]
    if missing:
        raise AssertionError(f"{case.method} {case.path} → {response.status_code}: no {missing}")


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    security_headers,
]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def fuzzed(
    request: pytest.FixtureRequest, demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[object, dict[str, str]]]:
    """The application over a private demo (on each backend) and a token per fuzzed user."""
    folder = tmp_path_factory.mktemp("fuzz")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'demo.db'}"
        shutil.copy(demo_template, folder / "demo.db")
    else:
        scratch = scratch_postgres("fuzz")
        url = next(scratch)
        engine = make_engine(url)
        init_database(url, make_session_factory(engine))
        with transaction(make_session_factory(engine)) as session:
            load_demo(session)
        engine.dispose()
    tokens = {who: issue_demo_token(url, who) for who in ("by-editor", "bank-viewer")}
    app = create_app(make_settings(folder, url))
    yield app, tokens
    if request.param == "postgresql":
        next(scratch, None)


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)
SKIPPED = {("DELETE", "/api/v1/me/tokens/{token_id}")}


def fuzz(app: object, token: str) -> list[str]:
    """Every operation with positive and negative cases; the failures found, one line each."""
    api = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    for result in api.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @FUZZ_SETTINGS
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: schemathesis.Case) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:  # nothing to make invalid (an operation without parameters)
                continue
            except Exception as error:  # a check failed: keep going, report them all
                first = str(error).strip().splitlines()[:6]
                failures.append(f"{operation.label} ({mode.value}): " + " | ".join(first))
    return failures


@pytest.mark.parametrize("who", ["by-editor", "bank-viewer"])
def test_no_server_errors_and_every_answer_as_documented(
    fuzzed: tuple[object, dict[str, str]], who: str
) -> None:
    app, tokens = fuzzed
    failures = fuzz(app, tokens[who])
    assert failures == [], "\n".join(failures)
