"""Every main page of the web UI on the demo: p50 and p95 latency, first visit and warm, and
right after a write that makes the computed results stale.

Usage:
  python bench/pages.py [--repeat 30] [--database-url postgresql+psycopg://…] [--worker-process]

It prepares the demo in a temporary folder (with --database-url on that database, which must
be empty), starts `unionsync serve` on 127.0.0.1, which starts its own job worker process
(with --worker-process: the server without jobs and a `unionsync worker` started apart, as
production runs it), waits until
the shared results (allocation, synchronisation) are computed, signs in as a Committee viewer
and, page by page:

- **first**: the first request of this process (templates compiled, results unpickled);
- **warm**: --repeat requests one after another: p50 and p95;
- **after a write**: for the pages that read computed results (overview, synchronisation,
  opportunities), an editor changes a program item's name (which makes them stale) before
  each of --repeat/3 requests: p50 and p95, served from the stale result while the job worker
  recomputes, never recomputed in the request.

Side by side, the baseline: `/healthz` (no database, no template) under the same client.
Target (issue 19): every page's p95 ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from load import HOST, UNIONSYNC, _free_port, _prepare, _run, _wait_ready

TARGET_MS = 300.0
STALE_AFTER_WRITE = ("/", "/sync", "/sync/items", "/sync/gaps", "/opportunities")


def _sign_in(client: httpx.Client, username: str) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None, "no CSRF token on the sign-in page"
    answer = client.post(
        "/login",
        data={"username": username, "password": "demo", "csrf_token": token.group(1), "next": "/"},
    )
    if answer.status_code != 303:
        raise SystemExit(f"sign-in of {username} failed: {answer.status_code}")


def _pages(api: httpx.Client) -> list[str]:
    """The main pages, with one of each kind of detail page (the first row of its list)."""
    program = api.get("/api/v1/programs", params={"per_page": 1}).json()["items"][0]["id"]
    item = api.get("/api/v1/program-items", params={"per_page": 1}).json()["items"][0]["id"]
    passport = api.get("/api/v1/passports", params={"per_page": 1}).json()["items"][0]["id"]
    enterprise = api.get(
        "/api/v1/organizations", params={"kind": "enterprise", "per_page": 1}
    ).json()["items"][0]["id"]
    return [
        "/",
        "/programs",
        f"/programs/{program}",
        "/items",
        "/enterprises",
        f"/enterprises/{enterprise}",
        "/capabilities",
        "/matching",
        "/nomenclature",
        "/sync",
        "/sync/items",
        "/sync/gaps",
        "/sync/overlaps",
        f"/sync/items/{item}",
        "/passports",
        f"/passports/{passport}",
        "/selection",
        "/finance",
        "/roadmap",
        f"/roadmap?passport_id={passport}",
        "/trade",
        "/trade/mirror",
        "/opportunities",
        "/audit",
    ]


def _timed(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    answer = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != 200:
        raise SystemExit(f"{path} answered {answer.status_code}")
    return elapsed


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _wait_computed(client: httpx.Client) -> float:
    started = time.monotonic()
    while time.monotonic() - started < 1800:
        if all(client.get(p).status_code == 200 for p in ("/", "/sync", "/opportunities")):
            return time.monotonic() - started
        time.sleep(1)
    raise SystemExit("the shared results were not computed within 30 minutes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--worker-process",
        action="store_true",
        help="run the job worker as its own process (its recomputations then do not share the "
        "server's interpreter lock)",
    )
    args = parser.parse_args()
    if not 3 <= args.repeat <= 1000:
        raise SystemExit("bounded: 3–1000 repeats")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = dict(os.environ)
        env["UNIONSYNC_DATA_DIR"] = str(folder / "data")
        env["UNIONSYNC_DATABASE_URL"] = args.database_url or f"sqlite:///{folder / 'pages.db'}"
        env["UNIONSYNC_JOBS_IN_PROCESS"] = "false" if args.worker_process else "true"
        print("preparing the demo…", flush=True)
        _prepare(env, folder, 0)
        viewer = _run(env, "user", "token", "union-viewer").strip()
        editor = _run(env, "user", "token", "by-editor").strip()
        port = _free_port()
        base = f"http://{HOST}:{port}"
        log = (folder / "server.log").open("wb")
        server = subprocess.Popen(
            [UNIONSYNC, "serve", "--host", HOST, "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        worker = (
            subprocess.Popen([UNIONSYNC, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
            if args.worker_process
            else None
        )
        try:
            _wait_ready(base, server)
            with (
                httpx.Client(base_url=base, timeout=120) as client,
                httpx.Client(
                    base_url=base, timeout=120, headers={"Authorization": f"Bearer {viewer}"}
                ) as api,
                httpx.Client(
                    base_url=base, timeout=120, headers={"Authorization": f"Bearer {editor}"}
                ) as writer,
            ):
                _sign_in(client, "union-viewer")
                print(f"shared results ready after {_wait_computed(client):.1f} s", flush=True)
                setup = (
                    f"repeat={args.repeat} "
                    f"database={'PostgreSQL' if args.database_url else 'SQLite'} job worker: "
                    f"{'`unionsync worker` apart' if args.worker_process else 'started by serve'}"
                )
                _report(client, api, writer, args.repeat, setup)
        finally:
            for process in (server, worker):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=30)


def _report(
    client: httpx.Client, api: httpx.Client, writer: httpx.Client, repeat: int, setup: str
) -> None:
    print(setup)
    print(f"{'page':40s} {'first':>7s} {'p50':>7s} {'p95':>7s}   (ms)")
    health = [_timed(client, "/healthz") for _ in range(repeat)]
    print(f"{'baseline: /healthz':40s} {'':>7s} {_pct(health, 0.5):7.1f} {_pct(health, 0.95):7.1f}")
    worst = ("", 0.0)
    p95s: list[float] = []
    for path in _pages(api):
        first = _timed(client, path)
        warm = [_timed(client, path) for _ in range(repeat)]
        p95 = _pct(warm, 0.95)
        p95s.append(p95)
        worst = max(worst, (path, p95), key=lambda x: x[1])
        flag = "" if p95 <= TARGET_MS else "  > target"
        print(f"{path:40s} {first:7.1f} {_pct(warm, 0.5):7.1f} {p95:7.1f}{flag}", flush=True)
    item = api.get("/api/v1/program-items", params={"per_page": 1, "country": "BY"}).json()
    item = item["items"][0]  # a Belarusian editor's own program's item
    for path in STALE_AFTER_WRITE:
        samples = []
        for n in range(max(3, repeat // 3)):
            answer = writer.patch(
                f"/api/v1/program-items/{item['id']}", json={"name_ru": f"{item['name_ru']} {n}"}
            )
            if answer.status_code != 200:
                raise SystemExit(f"the write failed: {answer.status_code} {answer.text[:200]}")
            samples.append(_timed(client, path))
        p95 = _pct(samples, 0.95)
        p95s.append(p95)
        worst = max(worst, (f"{path} after a write", p95), key=lambda x: x[1])
        print(f"{path + ' after a write':40s} {'':>7s} {_pct(samples, 0.5):7.1f} {p95:7.1f}")
    print(
        f"median of the pages' p95: {statistics.median(p95s):.1f} ms; worst p95: "
        f"{worst[1]:.1f} ms ({worst[0]}); target ≤ {TARGET_MS:.0f} ms; "
        f"worst / baseline p95: {worst[1] / max(_pct(health, 0.95), 0.1):.0f}×"
    )


if __name__ == "__main__":
    main()
