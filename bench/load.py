"""Fifty users at once: latency and throughput of `unionsync serve` over a realistic mix of
pages and API calls, with one write per second, on loopback only.

Usage:
  python bench/load.py [--users 50] [--seconds 60] [--workers 1]
                       [--database-url postgresql+psycopg://…] [--items 100000]

It prepares an installation in a temporary folder (the demo; with --database-url, on that
database, which must be empty; --items adds generated program items up to that many), starts
`unionsync serve` (and, with several workers, a separate `unionsync worker`) on 127.0.0.1,
signs every virtual user in as one of the demo users, and then, for --seconds, each user
requests the next page of the mix as soon as the previous one answered, while one writer
changes a program item through the API every second: its name by default (each write makes the
overview's and the synchronisation's results stale, so they are recomputed), or with
--writes note its note (which alters no computed result). Printed per page and overall:
requests, errors, p50 / p95 / p99 latency and requests per second; side by side, the
baseline: `/healthz` (no database, no template) under the same load, and every page once on
an idle server.
Target (issue 16): p95 ≤ 100 ms and no errors on PostgreSQL with 10^5 items.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

PAGES = (  # (path, weight): what analysts open most
    ("/", 4),
    ("/programs", 3),
    ("/programs?page=2", 1),
    ("/capabilities", 2),
    ("/sync", 3),
    ("/passports", 2),
    ("/trade/mirror", 1),
    ("/api/v1/programs", 2),
    ("/api/v1/program-items?per_page=50", 1),
)
USERS = ("by-editor", "ru-editor", "union-viewer", "by-approver", "ru-approver")
HOST = "127.0.0.1"  # loopback only
UNIONSYNC = str(Path(sys.executable).parent / "unionsync")  # the console script of this venv


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [UNIONSYNC, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"unionsync {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _prepare(env: dict[str, str], folder: Path, items: int) -> None:
    _run(env, "demo", "--no-serve")
    extra = items - 1_100  # the demo holds about 1,100 items
    if extra > 0:
        sys.path.insert(0, str(Path(__file__).parent))
        from import_programs import make_rows

        from unionsync.core.tabular import write_csv

        headers, rows = make_rows(extra)
        path = folder / "extra-items.csv"
        write_csv(path, headers, rows)
        _run(env, "import", "programs", str(path))


def _weighted() -> list[str]:
    return [path for path, weight in PAGES for _ in range(weight)]


async def _sign_in(client: httpx.AsyncClient, username: str) -> None:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None, "no CSRF token on the sign-in page"
    answer = await client.post(
        "/login",
        data={"username": username, "password": "demo", "csrf_token": token.group(1), "next": "/"},
    )
    if answer.status_code != 303:
        raise SystemExit(f"sign-in of {username} failed: {answer.status_code}")


async def _user(
    base: str,
    username: str,
    token: str,
    offset: int,
    stop: float,
    samples: dict[str, list[float]],
    errors: dict[str, int],
) -> None:
    """Pages with the user's cookie; the API (which takes tokens only) with a viewer's token."""
    mix = _weighted()
    bearer = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await _sign_in(client, username)
        step = offset
        while time.monotonic() < stop:
            path = mix[step % len(mix)]
            step += 1
            started = time.perf_counter()
            try:
                headers = bearer if path.startswith("/api/") else None
                answer = await client.get(path, headers=headers)
                failed = answer.status_code >= 400
                if answer.status_code == 503:  # "being computed" (or busy): counted apart too
                    errors[f"503 {path}"] += 1
            except httpx.HTTPError:
                failed = True
            samples[path].append(time.perf_counter() - started)
            if failed:
                errors[path] += 1


async def _writer(
    base: str,
    token: str,
    stop: float,
    samples: dict[str, list[float]],
    errors: dict[str, int],
    field: str,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=headers) as client:
        items = (await client.get("/api/v1/program-items?country=BY&per_page=50")).json()["items"]
        n = 0
        while time.monotonic() < stop:
            tick = time.monotonic()
            item = items[n % len(items)]
            n += 1
            started = time.perf_counter()
            value = f"load test {n}" if field == "note" else f"{item['name_ru']} ({n})"
            answer = await client.patch(f"/api/v1/program-items/{item['id']}", json={field: value})
            samples["PATCH item (write)"].append(time.perf_counter() - started)
            if answer.status_code >= 400:
                errors["PATCH item (write)"] += 1
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))


async def _baseline_probe(
    base: str, stop: float, samples: dict[str, list[float]], errors: dict[str, int]
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        while time.monotonic() < stop:
            started = time.perf_counter()
            answer = await client.get("/healthz")
            samples["baseline: /healthz"].append(time.perf_counter() - started)
            if answer.status_code >= 400:
                errors["baseline: /healthz"] += 1
            await asyncio.sleep(0.2)


async def _idle_pass(base: str) -> dict[str, float]:
    """Every page once, one user, nothing else running: the latency without contention."""
    times: dict[str, float] = {}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await _sign_in(client, USERS[0])
        for path, _weight in PAGES:
            try:
                await client.get(path)  # warm
                started = time.perf_counter()
                await client.get(path)
                times[path] = time.perf_counter() - started
            except httpx.HTTPError as error:  # a page slower than the client's timeout
                print(f"idle pass: {path} failed ({type(error).__name__})", flush=True)
                times[path] = float("inf")
    return times


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def _load(
    base: str,
    token: str,
    reader: str,
    users: int,
    seconds: float,
    writes: str,
    database_url: str,
) -> None:
    computed = await _wait_computed(base, database_url)
    print(f"current results computed {computed:.0f} s after the server answered", flush=True)
    idle = await _idle_pass(base)
    samples: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for username in set(USERS):  # sign in once each before the clock starts
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            await _sign_in(client, username)
    started = time.monotonic()
    stop = started + seconds
    tasks = [
        _user(base, USERS[i % len(USERS)], reader, i, stop, samples, errors) for i in range(users)
    ]
    tasks.append(_writer(base, token, stop, samples, errors, writes))
    tasks.append(_baseline_probe(base, stop, samples, errors))
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - started
    pages = [p for p, _w in PAGES]
    print(
        f"{'request':<36}{'n':>6}{'err':>5}{'503':>5}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'idle ms':>9}"
    )
    everything: list[float] = []
    total_errors = 0
    for name in [*pages, "PATCH item (write)", "baseline: /healthz"]:
        values = samples.get(name, [])
        if not values:
            continue
        if not name.startswith("baseline"):
            everything.extend(values)
            total_errors += errors[name]
        idle_ms = f"{idle[name] * 1000:>9.0f}" if name in idle else f"{'':>9}"
        print(
            f"{name:<36}{len(values):>6}{errors[name]:>5}{errors[f'503 {name}']:>5}"
            f"{_pct(values, 0.5):>9.0f}"
            f"{_pct(values, 0.95):>9.0f}{_pct(values, 0.99):>9.0f}{idle_ms}"
        )
    print(
        f"{'all pages and writes':<36}{len(everything):>6}{total_errors:>5}{'':>5}"
        f"{_pct(everything, 0.5):>9.0f}{_pct(everything, 0.95):>9.0f}"
        f"{_pct(everything, 0.99):>9.0f}"
    )
    print(f"throughput: {len(everything) / elapsed:.1f} requests/s over {elapsed:.0f} s")
    finite = [t for t in idle.values() if t != float("inf")]
    if finite:
        print(f"median page latency idle: {statistics.median(finite) * 1000:.0f} ms")


def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit("the server stopped while starting")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not start")


async def _wait_computed(base: str, database_url: str) -> float:
    """Seconds until the synchronisation report stored is the one for the data as it is (the
    job worker solves the allocation after the start; until then pages answer 503 "being
    computed", or serve a result of the data before the extra items were imported)."""
    from sqlalchemy import select

    from unionsync.core.shared import SharedResult, version_of
    from unionsync.coverage.sync import coverage_version
    from unionsync.db.session import make_engine, make_session_factory

    engine = make_engine(database_url)
    started = time.monotonic()
    try:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            await _sign_in(client, USERS[0])
            while time.monotonic() - started < 3600:
                if (await client.get("/sync")).status_code != 503:
                    with make_session_factory(engine)() as session:
                        stamp = version_of(coverage_version(session))
                        stored = session.scalar(
                            select(SharedResult.version).where(SharedResult.key == "sync:all")
                        )
                    if stored == stamp:
                        return time.monotonic() - started
                await asyncio.sleep(2)
    finally:
        engine.dispose()
    raise SystemExit("the shared results were not computed within an hour")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--items", type=int, default=0, help="program items in all (≥ demo)")
    parser.add_argument(
        "--writes",
        choices=("name", "note"),
        default="name",
        help="what the writer changes: an item's name (every write makes the overview and "
        "synchronisation stale) or its note (which alters no computed result)",
    )
    args = parser.parse_args()
    if not 1 <= args.users <= 200 or not 1 <= args.seconds <= 600:
        raise SystemExit("bounded: 1–200 users, 1–600 seconds")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = dict(os.environ)
        env["UNIONSYNC_DATA_DIR"] = str(folder / "data")
        env["UNIONSYNC_DATABASE_URL"] = args.database_url or f"sqlite:///{folder / 'load.db'}"
        env["UNIONSYNC_JOBS_IN_PROCESS"] = "false" if args.workers > 1 else "true"
        print("preparing the installation…", flush=True)
        _prepare(env, folder, args.items)
        token = _run(env, "user", "token", "by-editor").strip()
        reader = _run(env, "user", "token", "union-viewer").strip()
        port = _free_port()
        base = f"http://{HOST}:{port}"
        command = [UNIONSYNC, "serve", "--host", HOST]
        log = (folder / "server.log").open("wb")
        server = subprocess.Popen(
            [*command, "--port", str(port), "--workers", str(args.workers)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        worker = None
        if args.workers > 1:
            worker = subprocess.Popen(
                [UNIONSYNC, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            _wait_ready(base, server)
            database = "PostgreSQL" if args.database_url else "SQLite"
            print(
                f"users={args.users} seconds={args.seconds:.0f} workers={args.workers} "
                f"database={database} items≥{max(args.items, 1_100):,} writes={args.writes}",
                flush=True,
            )
            asyncio.run(
                _load(
                    base,
                    token,
                    reader,
                    args.users,
                    args.seconds,
                    args.writes,
                    env["UNIONSYNC_DATABASE_URL"],
                )
            )
        except SystemExit:
            errors = (folder / "server.log").read_text(errors="replace").splitlines()
            print("\n".join(line for line in errors if "Error" in line or "error" in line)[-3000:])
            raise
        finally:
            for process in (server, worker):
                if process is not None:
                    process.terminate()
                    try:
                        process.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait(timeout=30)
            log.close()
            kept = Path(tempfile.gettempdir()) / "unionsync-load-server.log"
            shutil.copy(folder / "server.log", kept)  # the temporary folder goes away
            print(f"server log kept in {kept}")


if __name__ == "__main__":
    main()
