"""Load benchmark: `sme-hub serve --workers 2` on a seeded installation, driven by wrk.

Builds a scratch database (TEST_DATABASE_URL or DATABASE_URL, else an embedded PostgreSQL)
with 10,000 entrepreneurs, 50 calls and 20,000 applications (scripts/bench_load_seed.py),
serves it in production mode on a free loopback port, and runs wrk at 32 connections for
10 s per scenario: /health, the public JSON lists and pages, the applicant's API journey
(each connection on its own draft, with its owner's token) and the staff lists (pages with a
session cookie, API twins with a token). Prints req/s, p50, p99, non-2xx answers, the ratio
to /health's req/s of the same round, the workers' resident memory and the targets; asserts
nothing. The public lists are then measured again on a second server with the public cache
off (core/public_cache.py), rows marked "[no cache]": what making each answer costs; and
the staff lists once more at `--office` connections (a busy office, not a crowd).
Each scenario runs `--rounds` times and its best round is shown (the machine is shared: the
best round is the least disturbed one).
Usage: scripts/bench [--duration 10] [--connections 32] [--rounds 2] [--only SUBSTRING ...]
                     [--no-uncached] [--office 4]
"""

import argparse
import asyncio
import dataclasses
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyotp
from bench_enrolment import free_port, stop_server
from bench_load_seed import PASSWORD, TOTP_SECRET, Installation, seed
from benchlib import bench_server

from sme_hub.config import Settings
from sme_hub.db import scratch_database

REPO_ROOT = Path(__file__).resolve().parents[1]
LUA = Path(__file__).with_name("bench_load.lua")
SECRET_KEY = "load-benchmark-secret-key-0123456789-abcdefghijklmnop"
WORKERS = 2
THREADS = 2  # wrk's; the machine has two cores
TARGETS = {"json": 0.35, "html": 0.25}
P99_TARGET_MS = 100.0
RSS_TARGET_MB = 200.0
PATCH_BODY = '{"summary": "Updated by the load benchmark"}'


@dataclass(frozen=True)
class Scenario:
    name: str
    group: str  # health, json, html, applicant, staff
    path: str
    method: str = "GET"
    headers: tuple[str, ...] = ()
    entries: str = "-"  # a file of "token id" lines: a different token (and id) per request
    body: str = ""
    connections: int | None = None  # None: --connections


@dataclass(frozen=True)
class Result:
    requests: int
    rate: float
    p50_ms: float
    p99_ms: float
    non2xx: int
    socket_errors: int
    cpu_ms: float = 0.0  # CPU time of the server workers per request: steadier than req/s


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing wrk…", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is missing: run 'sudo apt-get install wrk' and retry.")
    return found


def start_server(
    database_url: str, data_dir: Path, cache_seconds: int = 10
) -> tuple[subprocess.Popen[bytes], str]:
    """Production mode (JSON logs, no job worker beside it), as it would be deployed; with the
    public cache of `cache_seconds` (0: every answer made anew)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SME_HUB_DATA_DIR": str(data_dir),
        "SME_HUB_SECRET_KEY": SECRET_KEY,
        "SME_HUB_ENV": "production",
        "SME_HUB_PUBLIC_CACHE_SECONDS": str(cache_seconds),
    }
    command = [
        str(Path(sys.executable).parent / "sme-hub"),
        *("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS)),
    ]
    log = (data_dir / f"server-cache-{cache_seconds}.log").open("wb")
    process = subprocess.Popen(
        command,
        env=env,
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while httpx_status(f"{url}/health") != 200:
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(process)
            raise SystemExit(f"the server did not start; see {log.name}")
        time.sleep(0.3)
    return process, url


def httpx_status(url: str, headers: dict[str, str] | None = None) -> int | None:
    try:
        return httpx.get(url, headers=headers, timeout=10, follow_redirects=False).status_code
    except httpx.HTTPError:
        return None


def session_cookie(url: str, email: str) -> str:
    """Log in through the page like a browser and return the Cookie header of the session.
    Production cookies are Secure, so they are carried by hand over plain HTTP."""
    with httpx.Client(base_url=url, timeout=30, follow_redirects=False) as client:
        page = client.get("/login")
        csrf = page.cookies.get("csrftoken") or _cookie(page, "csrftoken")
        response = client.post(
            "/login",
            data={"email": email, "password": PASSWORD, "_csrf_token": csrf},
            headers={"Cookie": f"csrftoken={csrf}"},
        )
        if response.headers.get("location") == "/login/two-factor":
            response = client.post(
                "/login/two-factor",
                data={"code": pyotp.TOTP(TOTP_SECRET).now(), "_csrf_token": csrf},
                headers={"Cookie": f"csrftoken={csrf}; {_session_cookies(response)}"},
            )
    if response.status_code not in (302, 303) or "two-factor" in response.headers["location"]:
        raise SystemExit(f"login of {email} answered {response.status_code}")
    return _session_cookies(response)


def _session_cookies(response: httpx.Response) -> str:
    parts = [
        header.split(";", 1)[0]
        for header in response.headers.get_list("set-cookie")
        if header.startswith("sme_session")
    ]
    return "; ".join(parts)


def _cookie(response: httpx.Response, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header.split(";", 1)[0].split("=", 1)[1]
    raise SystemExit(f"no {name} cookie from {response.url}")


def scenarios(url: str, setup: Installation, work_dir: Path) -> list[Scenario]:
    tokens = work_dir / "tokens.txt"
    tokens.write_text("".join(f"{token} -\n" for token in setup.tokens.values()))
    drafts = work_dir / "drafts.txt"
    drafts.write_text("".join(f"{setup.tokens[g]} {a}\n" for a, g in setup.drafts))
    centre = f"Cookie: {session_cookie(url, setup.staff_emails['centre'])}"
    officer = f"Cookie: {session_cookie(url, setup.staff_emails['officer'])}"
    centre_api = f"Authorization: Bearer {setup.staff_tokens['centre']}"
    officer_api = f"Authorization: Bearer {setup.staff_tokens['officer']}"
    call = setup.screening_call_id
    return [
        Scenario("GET /health", "health", "/health"),
        Scenario("GET /api/v1/calls?status=published", "json", "/api/v1/calls?status=published"),
        Scenario("GET /api/v1/cohorts?status=open", "json", "/api/v1/cohorts?status=open"),
        Scenario("GET /api/v1/partners", "json", "/api/v1/partners"),
        Scenario("GET /api/v1/awards", "json", "/api/v1/awards"),
        Scenario("GET / (home page)", "html", "/"),
        Scenario("GET /calls", "html", "/calls"),
        Scenario("GET /courses", "html", "/courses"),
        Scenario("GET /partners", "html", "/partners"),
        Scenario("GET /grants", "html", "/grants"),
        Scenario(
            "GET /api/v1/me/business", "applicant", "/api/v1/me/business", entries=str(tokens)
        ),
        Scenario(
            "GET /api/v1/me/applications",
            "applicant",
            "/api/v1/me/applications",
            entries=str(tokens),
        ),
        Scenario(
            "PATCH /api/v1/applications/{draft}",
            "applicant",
            "/api/v1/applications/{id}",
            method="PATCH",
            entries=str(drafts),
            body=PATCH_BODY,
        ),
        Scenario(
            f"page /centre/grants/calls/{call}",
            "staff",
            f"/centre/grants/calls/{call}/",
            headers=(centre,),
        ),
        Scenario(
            f"GET /api/v1/calls/{call}/applications",
            "staff",
            f"/api/v1/calls/{call}/applications",
            headers=(centre_api,),
        ),
        Scenario("page /centre/clients", "staff", "/centre/clients/", headers=(centre,)),
        Scenario(
            "GET /api/v1/centre/clients", "staff", "/api/v1/centre/clients", headers=(centre_api,)
        ),
        Scenario("page /municipality/grants", "staff", "/municipality/grants/", headers=(officer,)),
        Scenario("GET /api/v1/grants", "staff", "/api/v1/grants", headers=(officer_api,)),
    ]


def preflight(url: str, scenario: Scenario) -> None:
    """One request first, so a scenario that only answers errors is obvious at once."""
    if scenario.entries != "-":
        return  # per-request tokens: wrk's non-2xx count tells
    headers = dict(h.split(": ", 1) for h in scenario.headers)
    status = httpx_status(url + scenario.path, headers)
    if status is None or not 200 <= status < 300:
        print(f"  warning: {scenario.name} answers {status}", flush=True)


def run_wrk(wrk: str, url: str, s: Scenario, duration: int, connections: int) -> Result:
    command = [
        wrk,
        "-t",
        str(THREADS),
        "-c",
        str(connections),
        "-d",
        f"{duration}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA),
    ]
    for header in s.headers:
        command += ["-H", header]
    command += [url + s.path, "--", s.method, s.path, s.entries, s.body, str(THREADS)]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60, check=False
    )
    found = re.search(r"BENCH-RESULT (.*)", done.stdout)
    if not found:
        raise SystemExit(f"wrk failed for {s.name}:\n{done.stdout}\n{done.stderr}")
    values = dict(pair.split("=") for pair in found.group(1).split())
    figures = {key: int(value) for key, value in values.items()}
    return Result(
        requests=figures["requests"],
        rate=figures["requests"] / (figures["duration_us"] / 1e6),
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        non2xx=figures["non2xx"],
        socket_errors=figures["socket"],
    )


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes have used so far."""
    total = 0
    for pid in pids:
        try:
            fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def worker_memory(server_pid: int) -> list[tuple[int, float, float]]:
    """(pid, VmRSS MB, VmHWM MB) of the Granian worker processes: the server's descendants
    that serve (multiprocessing's resource tracker left out)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            ppid = int(re.search(r"^PPid:\s+(\d+)", status, re.M).group(1))  # type: ignore[union-attr]
            children.setdefault(ppid, []).append(int(entry.name))
    found, queue = [], list(children.get(server_pid, []))
    while queue:
        pid = queue.pop()
        queue += children.get(pid, [])
        try:
            cmdline = (Path("/proc") / str(pid) / "cmdline").read_bytes()
            status = (Path("/proc") / str(pid) / "status").read_text()
        except OSError:
            continue
        if b"resource_tracker" in cmdline:
            continue
        rss = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        hwm = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
        if rss and hwm:
            found.append((pid, int(rss.group(1)) / 1024, int(hwm.group(1)) / 1024))
    return sorted(found)


def target_of(s: Scenario) -> float | None:
    return TARGETS.get(s.group)


def report(
    results: dict[Scenario, tuple[Result, float]],
    memory: list[tuple[int, float, float]],
    args: argparse.Namespace,
) -> None:
    print()
    print(
        f"{WORKERS} server workers, wrk {THREADS} threads × {args.connections} connections, "
        f"{args.duration} s per scenario, best of {args.rounds} round(s)"
    )
    head = (
        f"{'scenario':<50}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'non-2xx':>9}"
        f"{'×/health':>10}{'CPU ms':>8}  target"
    )
    print(head)
    print("-" * (len(head) + 22))
    for s, (r, ratio) in results.items():
        wanted = target_of(s)
        checks = []
        if wanted is not None:
            checks.append(f"≥{wanted:.2f}× {'ok' if ratio >= wanted else 'SHORT'}")
        fast = r.requests > 0 and r.p99_ms < P99_TARGET_MS  # none answered within 5 s: short
        if s.connections is None:
            checks.append(f"p99<{P99_TARGET_MS:.0f} {'ok' if fast else 'SHORT'}")
        errors = f"{r.non2xx}" + (f"+{r.socket_errors}s" if r.socket_errors else "")
        print(
            f"{s.name[:49]:<50}{r.rate:>8.0f}{r.p50_ms:>8.1f}{r.p99_ms:>8.1f}{errors:>9}"
            f"{ratio:>10.2f}{r.cpu_ms:>8.2f}  {', '.join(checks)}"
        )
    print()
    for pid, rss, hwm in memory:
        verdict = "ok" if rss < RSS_TARGET_MB else "SHORT"
        print(
            f"worker {pid}: resident {rss:.0f} MB (peak {hwm:.0f} MB)"
            f" — target < {RSS_TARGET_MB:.0f} MB {verdict}"
        )
    print(
        "CPU ms: the workers' CPU time per answered request (the machine is shared, so req/s"
        " is noisy; this is what a change of the code moves)"
    )
    print(
        "targets: public JSON lists ≥ 0.35× /health, HTML pages ≥ 0.25× /health, "
        f"p99 < {P99_TARGET_MS:.0f} ms at {args.connections} connections, "
        f"worker memory < {RSS_TARGET_MB:.0f} MB"
    )


def run(args: argparse.Namespace, database_url: str, data_dir: Path) -> None:
    wrk = ensure_wrk()
    settings = Settings(database_url=database_url, data_dir=data_dir, secret_key=SECRET_KEY)
    started = time.perf_counter()
    setup = asyncio.run(seed(settings, secrets.token_hex(6)))
    print(
        f"seeded 10,000 entrepreneurs, 50 calls, 20,000 applications ({len(setup.drafts):,} "
        f"drafts in open calls) in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    process, url = start_server(database_url, data_dir)
    try:
        if args.hold:
            hold(url, setup, data_dir, process.pid, args.hold)
            return
        chosen = [
            s
            for s in scenarios(url, setup, data_dir)
            if s.group == "health" or not args.only or any(o in s.name for o in args.only)
        ]
        # Staff are a handful per centre or municipality: their lists once more at the
        # concurrency of a busy office.
        office = [
            dataclasses.replace(s, name=f"{s.name} [{args.office} conns]", connections=args.office)
            for s in chosen
            if s.group == "staff" and args.office
        ]
        best = measure(wrk, url, process.pid, chosen + office, args)
        memory = worker_memory(process.pid)
    finally:
        stop_server(process)
    # The public lists once more with the cache off: what making each answer costs.
    public = [s for s in chosen if s.group in ("health", "json", "html")]
    if len(public) > 1 and not args.no_uncached:
        print("the public lists again, on a server without the public cache", flush=True)
        process, url = start_server(database_url, data_dir, cache_seconds=0)
        try:
            uncached = measure(wrk, url, process.pid, public, args)
        finally:
            stop_server(process)
        best.update(
            {dataclasses.replace(s, name=f"{s.name} [no cache]"): r for s, r in uncached.items()}
        )
    report(best, memory, args)
    print(f"server logs: {data_dir}/server-cache-*.log")


def measure(
    wrk: str, url: str, server_pid: int, chosen: list[Scenario], args: argparse.Namespace
) -> dict[Scenario, tuple[Result, float]]:
    """Each scenario `args.rounds` times; the best round of each, with its ratio to the
    /health of the same round."""
    best: dict[Scenario, tuple[Result, float]] = {}
    for round_number in range(1, args.rounds + 1):
        print(f"round {round_number} of {args.rounds}", flush=True)
        health_rate = 0.0
        for s in chosen:
            if round_number == 1:
                preflight(url, s)
            pids = [pid for pid, _rss, _hwm in worker_memory(server_pid)]
            cpu_before = cpu_seconds(pids)
            result = run_wrk(wrk, url, s, args.duration, s.connections or args.connections)
            used = cpu_seconds(pids) - cpu_before
            cpu = used * 1000 / result.requests if result.requests else 0.0
            result = dataclasses.replace(result, cpu_ms=cpu)
            if s.group == "health":
                health_rate = result.rate
            ratio = result.rate / health_rate if health_rate else 0.0
            print(
                f"  {s.name:<50}{result.rate:>8.0f} req/s  p99 {result.p99_ms:>7.1f} ms"
                f"  {result.cpu_ms:>6.2f} CPU ms/req",
                flush=True,
            )
            if s not in best or result.rate > best[s][0].rate:
                best[s] = (result, ratio)
    return best


def hold(url: str, setup: Installation, data_dir: Path, server_pid: int, seconds: int) -> None:
    """Keep the seeded server up for a while (to profile it, e.g. with py-spy), printing the
    wrk commands of every scenario; it stops by itself."""
    for s in scenarios(url, setup, data_dir):
        headers = " ".join(f"-H '{h}'" for h in s.headers)
        print(
            f"{s.name}: wrk -t {THREADS} -c 32 -d 10s -s {LUA} {headers} '{url}{s.path}' -- "
            f"{s.method} '{s.path}' {s.entries} '{s.body}' {THREADS}"
        )
    workers = " ".join(str(pid) for pid, _rss, _hwm in worker_memory(server_pid))
    print(f"serving at {url} for {seconds} s; worker processes: {workers}", flush=True)
    time.sleep(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each scenario")
    parser.add_argument("--hold", type=int, default=0, help="only serve for N s (profiling)")
    parser.add_argument("--only", nargs="*", default=[], help="scenarios whose name has any")
    parser.add_argument(
        "--no-uncached", action="store_true", help="skip the public lists without the cache"
    )
    parser.add_argument(
        "--office",
        type=int,
        default=4,
        help="connections for the staff lists' second pass (0: none)",
    )
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="sme-bench-load-"))
    with scratch_database(bench_server(data_dir), "sme_hub_load") as url:
        run(args, url, data_dir)


if __name__ == "__main__":
    main()
