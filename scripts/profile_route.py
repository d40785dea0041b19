"""Profile one route in process: where a request's CPU time goes.

Seeds the load benchmark's installation (scripts/bench_load_seed.py) on a scratch database
(TEST_DATABASE_URL or DATABASE_URL, else an embedded PostgreSQL), builds the app in
production mode and answers N requests to PATH, then N more under pyinstrument (which follows
coroutines), and prints the call tree in percent of the time. httpx's own time shows too;
what to read is below Litestar's router.
Usage: .venv/bin/python scripts/profile_route.py PATH [--as applicant|centre|officer|admin]
       [--n 300] [--method GET] [--body JSON] [--all]
"""

import argparse
import asyncio
import logging
import secrets
import tempfile
import time
from pathlib import Path

import httpx
from bench_load_seed import Installation, seed
from benchlib import bench_server
from pyinstrument import Profiler

from sme_hub.app import create_app
from sme_hub.config import Settings
from sme_hub.db import scratch_database

SECRET_KEY = "profile-route-secret-key-0123456789-abcdefghijklmnopq"


def headers_for(caller: str | None, setup: Installation) -> dict[str, str]:
    if caller is None:
        return {}
    if caller == "applicant":
        return {"Authorization": f"Bearer {next(iter(setup.tokens.values()))}"}
    return {"Authorization": f"Bearer {setup.staff_tokens[caller]}"}


async def run(args: argparse.Namespace, database_url: str, data_dir: Path) -> None:
    settings = Settings(
        database_url=database_url,
        data_dir=data_dir,
        secret_key=SECRET_KEY,
        env="production",
    )
    setup = await seed(settings, secrets.token_hex(6))
    path = args.path.replace("{call}", str(setup.screening_call_id))
    if "{draft}" in path:
        draft, owner = setup.drafts[0]
        path = path.replace("{draft}", str(draft))
        headers = {"Authorization": f"Bearer {setup.tokens[owner]}"}
    else:
        headers = headers_for(args.caller, setup)
    if args.body:
        headers["Content-Type"] = "application/json"
    app = create_app(settings)
    logging.disable(logging.INFO)  # a JSON line per request would drown the profile
    # The app in this thread and event loop (the test client would run it in another
    # thread, out of the profiler's sight).
    transport = httpx.ASGITransport(app=app)
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url="https://sme-hub.local") as client,
    ):

        async def once() -> int:
            response = await client.request(args.method, path, headers=headers, content=args.body)
            return response.status_code

        for _ in range(20):  # warm caches, the pool and the template cache
            status = await once()
        print(f"{args.method} {path} answers {status}")
        started = time.perf_counter()
        for _ in range(args.n):
            await once()
        plain = (time.perf_counter() - started) * 1000 / args.n
        profiler = Profiler(interval=0.0002, async_mode="enabled")
        with profiler:
            for _ in range(args.n):
                await once()
    print(f"{plain:.2f} ms per request, unprofiled (httpx's share included)")
    print(profiler.output_text(color=False, show_all=args.all, time="percent_of_total"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="e.g. /calls, /api/v1/calls/{call}/applications")
    parser.add_argument("--as", dest="caller", choices=["applicant", "centre", "officer", "admin"])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", default="")
    parser.add_argument("--all", action="store_true", help="show library frames too")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="sme-profile-"))
    with scratch_database(bench_server(data_dir), "sme_hub_profile") as url:
        asyncio.run(run(args, url, data_dir))


if __name__ == "__main__":
    main()
