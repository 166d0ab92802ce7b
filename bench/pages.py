"""GET load on one page kind, flat out and at an offered rate: the `faq` scenario (a
logged-in member reading FAQ question pages) and the HTTP half of `baseline` (the minimal
views of bench/views.py through the same stack)."""

import itertools

from bench import loadgen
from bench.client import Browser, error_kind, make_client


async def drive(
    base_url: str,
    paths: list[str],
    session_keys: list[str],
    *,
    rate: float | None,
    seconds: float,
    concurrency: int,
    expect: bytes | None = None,
) -> dict:
    """GET `paths` round-robin, each request as the next member (no cookie when
    `session_keys` is empty); a 200 whose body lacks `expect` is an error."""
    members = itertools.cycle(session_keys or [None])
    browsers = {}
    cap = int((rate or 4000) * seconds) + 1  # bounded in count as well as in time
    items = ((path, next(members)) for path, _ in zip(itertools.cycle(paths), range(cap)))
    connections = concurrency if rate is None else max(concurrency, 256)
    async with make_client(base_url, connections) as client:

        async def get(item):
            path, key = item
            if key not in browsers:
                browsers[key] = Browser(base_url, {"sessionid": key} if key else {})
            response = await client.get(path, headers=browsers[key].header())
            if response.status_code != 200:
                return False, error_kind(response), None
            if expect is not None and expect not in response.content:
                return False, "200 without the expected content", None
            return True, "", None

        if rate is None:
            outcomes = await loadgen.flat_out(items, get, concurrency=concurrency, seconds=seconds)
        else:
            outcomes = await loadgen.at_rate(
                items, get, per_second=rate, seconds=seconds, max_in_flight=connections
            )
    summary = loadgen.summarize(outcomes, offered=rate)
    return {
        "offered_per_s": rate,
        "requests": summary["ok"],
        "requests_per_s": summary["per_s"],
        "duration_s": summary["duration_s"],
        "latency_ms": summary["latency_ms"],
        "errors_total": summary["errors_total"],
        "errors": summary["errors"],
        "send_slip_ms_p99": summary["send_slip_ms_p99"],
    }
