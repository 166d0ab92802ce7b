"""The bench harness's pure parts: percentiles, live lag, targets and ratios, form and cookie
handling, its HTTP client. No timing is asserted here: figures live in bench/results/."""

import asyncio

import numpy as np
import pytest

from bench import assembly, closing, lag, loadgen, stats, targets
from bench.client import Browser, find_form, receipt_code
from bench.http1 import Client, Response


class TestPercentile:
    def test_nearest_rank(self):
        values = list(range(1, 101))  # 1..100
        assert stats.percentile(values, 50) == 50
        assert stats.percentile(values, 99) == 99
        assert stats.percentile(values, 100) == 100
        assert stats.percentile(values, 0) == 1

    def test_never_interpolates_and_ignores_order(self):
        assert stats.percentile([10, 1, 5], 50) == 5
        assert stats.percentile([1, 1000], 99) == 1000  # one slow request of two is the p99

    def test_empty_and_out_of_range(self):
        assert stats.percentile([], 50) is None
        with pytest.raises(ValueError):
            stats.percentile([1], 101)

    def test_summary_in_milliseconds(self):
        summary = stats.latency_summary_ms([0.010, 0.020, 0.030, 0.040])
        assert summary == {
            "count": 4,
            "p50": 20.0,
            "p95": 40.0,
            "p99": 40.0,
            "max": 40.0,
            "mean": 25.0,
        }
        assert stats.latency_summary_ms([])["p99"] is None


class TestLiveLag:
    # (version µs, received µs): states read at 100, 200, 300, received 50 µs later
    MESSAGES = [(100, 150), (200, 250), (300, 350)]

    def test_first_state_at_or_after_the_ack(self):
        # ack at 100: the state read at 100 includes it (version >= ack)
        assert stats.first_receipts(self.MESSAGES, [100, 101, 250, 301]) == [150, 250, 350, None]

    def test_lag_and_missed(self):
        lags, missed = stats.lags_us(self.MESSAGES, [90, 200, 400])
        assert lags == [60, 50]
        assert missed == 1

    def test_stale_message_is_ignored(self):
        # a message whose version is not newer than the last applied one does not count
        messages = [(100, 150), (300, 350), (200, 400)]
        assert stats.first_receipts(messages, [150, 250]) == [350, 350]

    def test_lag_is_never_negative(self):
        # cannot happen on one clock (receipt >= version >= ack), but a clock step must not
        # turn into a negative lag that flatters the percentiles
        lags, missed = stats.lags_us([(600, 590)], [595])
        assert (lags, missed) == ([0], 0)

    def test_numpy_path_agrees_with_the_reference(self):
        rng = np.random.default_rng(7)
        acks = sorted(int(x) for x in rng.integers(0, 5_000_000, 400))
        watchers = []
        for _ in range(20):
            versions = np.cumsum(rng.integers(100_000, 600_000, 15))
            watchers.append([(int(v), int(v + rng.integers(0, 300_000))) for v in versions])
        reference, missed = [], 0
        for messages in watchers:
            got, lost = stats.lags_us(messages, acks)
            reference += got
            missed += lost
        summary = lag.lag_summary(watchers, acks)
        assert summary["count"] == len(reference)
        assert summary["missed"] == missed
        for q in (50, 95, 99):
            exact_ms = stats.percentile(reference, q) / 1000
            assert exact_ms <= summary[f"p{q}"] <= exact_ms + 1  # 1 ms bins, never understated
        assert summary["max"] == round(max(reference) / 1000, 1)

    def test_a_state_with_the_final_turnout_includes_every_vote(self):
        # Overloaded: the last votes' acknowledgements (500, 510) reach the client after the
        # state that already counts them was read (version 400, turnout 3 = the final count);
        # nothing changes afterwards, so no newer version is sent until the ballot closes.
        messages = [(100, 150, 1, "open"), (400, 450, 3, "open"), (9_000, 9_050, 3, "closed")]
        acks = [120, 500, 510]
        complete = stats.completion_receipt(messages, 3)
        assert complete == 450
        assert stats.first_receipts(messages, acks) == [450, 9_050, 9_050]  # by version only
        assert stats.first_receipts(messages, acks, complete) == [450, 450, 450]
        assert stats.lags_us(messages, acks, complete) == ([330, 0, 0], 0)
        summary = lag.lag_summary([messages], acks, final_count=3)
        assert (summary["count"], summary["missed"], summary["max"]) == (3, 0, 0.3)
        # A watcher that never had the final turnout (nor a newer version) missed them all.
        stuck = [(100, 150, 1, "open")]
        assert stats.completion_receipt(stuck, 3) is None
        assert lag.lag_summary([stuck], acks, final_count=3)["missed"] == 3

    def test_messages_per_watcher_per_second(self):
        steady = [0, 500_000, 1_000_000, 1_500_000]  # 2/s: 4 messages in 1.5 s
        fast = [0, 250_000, 500_000]  # 4/s
        assert stats.messages_per_second([steady, fast]) == {"mean": 3.0, "max": 4.0}
        assert stats.messages_per_second([[5], []]) == {"mean": None, "max": None}


class TestTargets:
    def test_at_least(self):
        target = targets.Target("votes/s", "v", ">=", 500, "votes/s")
        assert targets.evaluate(target, 400)["status"] == "FAIL"
        assert targets.evaluate(target, 400)["gap"] == 100
        assert targets.evaluate(target, 400)["gap_pct"] == 20.0
        assert targets.evaluate(target, 500)["pass"] is True
        assert targets.evaluate(target, 500)["gap"] == 0

    def test_at_most(self):
        target = targets.Target("p99", "p", "<=", 150, "ms")
        row = targets.evaluate(target, 180)
        assert (row["pass"], row["gap"], row["gap_pct"]) == (False, 30, 20.0)
        assert targets.evaluate(target, 150)["pass"] is True

    def test_zero_target(self):
        target = targets.Target("errors", "e", "<=", 0, "errors")
        assert targets.evaluate(target, 0)["pass"] is True
        row = targets.evaluate(target, 3)
        assert (row["pass"], row["gap"], row["gap_pct"]) == (False, 3, None)

    def test_moonshot_is_never_a_failure_and_missing_is_not_measured(self):
        moonshot = targets.Target("m", "v", ">=", 1000, "votes/s", moonshot=True)
        rows = [targets.evaluate(moonshot, 600), targets.evaluate(targets.TARGETS[0], None)]
        assert rows[0]["status"] == "short of moonshot"
        assert rows[1]["status"] == "not measured"
        assert targets.missed(rows) == []

    def test_every_target_reads_a_figure_the_run_writes(self):
        figures = {
            "votes": {
                "steps": {
                    "flat_out": {"votes_per_s": 520.0, "duration_s": 61.0},
                    "at_250": {"cast_ms": {"p99": 90.0}},
                },
                "errors_total": 0,
            },
            "live": {
                "headline": {
                    "watchers": 5000,
                    "lag_ms": {"p99": 800.0},
                    "messages_per_watcher_per_s": {"max": 2.0},
                    "cpu_ms_per_delivery": 0.1,
                    "vote_errors_total": 0,
                }
            },
            "pdf": {"render_and_sign_s": {"p95": 1.2}},
            "faq": {"flat_out": {"requests_per_s": 1100.0}, "at_300": {"latency_ms": {"p99": 50}}},
            "ballot_page": {"flat_out": {"requests_per_s": 600.0}},
            "baseline": {"ping_vs_hello": 0.6},
            "assembly": {"headline": assembly.headline({"members_5000": _assembly_step(5000)})},
            "close": {
                "sizes": {"100000": {"late_vote_waited_s": 0.02}},
                "growth": closing.growth(
                    {str(n): _close_size(n, per_elector_s=1e-5) for n in (1000, 13000, 100000)}
                ),
            },
        }
        rows = targets.evaluate_all(figures)
        assert [r["name"] for r in rows if r["value"] is None] == []
        assert [r["name"] for r in rows if not r["pass"]] == ["votes/s moonshot"]

    def test_ratios(self):
        figures = {
            "votes": {"steps": {"flat_out": {"votes_per_s": 500.0}}},
            "baseline": {
                "hello": {"requests_per_s": 2000.0},
                "ping": {"requests_per_s": 1000.0},
                "pgbench": {"tps": 8000.0},
            },
        }
        ratios = targets.ratios(figures)
        assert ratios["votes/s vs hello req/s"] == 0.25
        assert ratios["votes/s vs authenticated GET req/s"] == 0.5
        assert ratios["votes/s vs pgbench insert tx/s"] == 0.062
        assert ratios["faq req/s vs hello req/s"] is None  # faq did not run

    def test_lookup_ignores_non_numbers(self):
        assert targets.lookup({"a": {"b": True}}, "a.b") is None
        assert targets.lookup({"a": {"b": 2}}, "a.b") == 2
        assert targets.lookup({"a": {}}, "a.b.c") is None


def test_summarize_counts_errors_and_latency_from_due_time():
    outcomes = [
        loadgen.Outcome(due=0.0, sent=0.0, end=0.1, ok=True),
        loadgen.Outcome(due=0.5, sent=0.9, end=1.0, ok=True),  # sent late: latency 0.5 s
        loadgen.Outcome(due=1.0, sent=1.0, end=1.5, ok=False, kind="timeout"),
    ]
    summary = loadgen.summarize(outcomes, offered=2.0)
    assert summary["ok"] == 2
    assert summary["errors"] == {"timeout": 1}
    assert summary["latency_ms"]["max"] == 500.0
    assert summary["duration_s"] == 1.5
    assert summary["per_s"] == 1.3
    assert summary["send_slip_ms_p99"] == 400.0
    assert summary["ok_per_second"] == [1, 1]


VOTE_PAGE = """
<form method="post" action="/stemmingen/7/volmacht/"><input type="hidden"
 name="csrfmiddlewaretoken" value="x"><input name="holder_email" type="email"></form>
<form method="post" action="/stemmingen/7/stemmen/" class="vote-form">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok&amp;en">
  <input type="hidden" name="step" value="review">
  <input type="radio" name="choice" value="11" id="c1"><input type="radio" name="choice" value="12">
  <button type="submit">Verder</button>
</form>"""


def test_the_vote_form_is_found_by_action_and_step():
    form = find_form(VOTE_PAGE, "/stemmingen/7/stemmen/", step="review")
    assert form.fields == {"csrfmiddlewaretoken": "tok&en", "step": "review"}
    assert form.radios == {"choice": ["11", "12"]}
    assert find_form(VOTE_PAGE, "/stemmingen/7/stemmen/", step="cast") is None


def test_receipt_code():
    html = '<p class="receipt-code" id="receipt-code">K7QM-2XHD-P9WA-ZT4N</p>'
    assert receipt_code(html) == "K7QM-2XHD-P9WA-ZT4N"
    assert receipt_code("<p>Er ging iets mis</p>") is None


def test_browser_keeps_its_own_cookies():
    browser = Browser("http://127.0.0.1:1", {"sessionid": "s1"})
    browser.remember(
        Response(
            200,
            [
                ("set-cookie", "csrftoken=abc; Path=/; SameSite=Lax"),
                ("set-cookie", 'messages=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0'),
            ],
            b"",
        )
    )
    assert browser.cookies == {"sessionid": "s1", "csrftoken": "abc"}
    headers = browser.post_headers("/stemmingen/7/")
    assert headers["Cookie"] == "sessionid=s1; csrftoken=abc"
    assert headers["Origin"] == "http://127.0.0.1:1"
    assert headers["Referer"] == "http://127.0.0.1:1/stemmingen/7/"


def test_http_client_keep_alive_chunked_and_form_posts():
    async def scenario():
        seen = []

        async def handle(reader, writer):
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    writer.close()
                    return
                lines = head.decode().split("\r\n")
                length = next(
                    (int(x.split(":")[1]) for x in lines if x.lower().startswith("content-length")),
                    0,
                )
                body = await reader.readexactly(length)
                seen.append((lines[0], body))
                if lines[0].startswith("POST"):
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
                    )
                else:
                    writer.write(
                        b"HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 2\r\n\r\nhi"
                    )

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server, Client("127.0.0.1", port, 2) as client:
            first = await client.get("/a", {"Cookie": "sessionid=1"})
            second = await client.post("/b", {"step": "cast", "choice": "1 2"})
        return first, second, seen

    first, second, seen = asyncio.run(scenario())
    assert (first.status_code, first.header("location"), first.content) == (302, "/x", b"hi")
    assert (second.status_code, second.content) == (200, b"abcde")
    assert seen == [("GET /a HTTP/1.1", b""), ("POST /b HTTP/1.1", b"step=cast&choice=1+2")]


def test_cpu_per_event_splits_the_machine():
    from bench.cpu import per_event_ms

    use = {"cpu_s": {"wsgi": 2.0, "proxy": 0.2}, "machine_busy_s": 3.0, "load_generator_s": 0.3}
    assert per_event_ms(use, 1000) == {
        "proxy": 0.2,
        "wsgi": 2.0,
        "load_generator": 0.3,
        "rest_of_machine": 0.5,
        "machine_total": 3.0,
    }
    assert per_event_ms(use, 0) == {}


def test_profile_summary_by_category(tmp_path):
    from bench.profile import summarize

    (tmp_path / "1.txt").write_text(
        "run (gunicorn/x.py:1);vote (ballots/views.py:9);cast_vote (ballots/services.py:200) 6\n"
        "run (gunicorn/x.py:1);get_user (django/contrib/auth/__init__.py:278) 3\n"
        "run (gunicorn/x.py:2) 1\n"
    )
    summary = summarize(tmp_path)
    assert summary["samples"] == 10
    assert summary["categories_pct"] == [
        ["cast_vote service (ORM, commit)", 60.0],
        ["user load (auth)", 30.0],
        ["gunicorn", 10.0],
    ]
    assert ["run (gunicorn/x.py)", 100.0] in summary["inclusive_pct"]


def test_table_renders_a_run():
    from bench.report import table

    latency = {"p50": 10.0, "p95": 20.0, "p99": 30.0, "max": 40.0}
    record = {
        "command": "python -m bench run --scenario all",
        "at": "2026-11-27T10:00:00+00:00",
        "machine": {"cpu": "AMD EPYC", "cores": 2, "memory_gb": 23.5},
        "figures": {
            "votes": {
                "steps": {
                    "flat_out": {
                        "offered_per_s": None,
                        "votes": 100,
                        "votes_per_s": 520.0,
                        "cast_ms": latency,
                        "errors_total": 0,
                    },
                    "at_250": {
                        "offered_per_s": 250,
                        "votes": 50,
                        "votes_per_s": 250.0,
                        "cast_ms": latency,
                        "errors_total": 0,
                    },
                }
            }
        },
        "targets": targets.evaluate_all({"votes": {"steps": {"flat_out": {"votes_per_s": 520}}}}),
        "ratios": {},
        "checks": [{"name": "a", "ok": True, "detail": ""}],
    }
    record["figures"]["assembly"] = {
        "steps": {
            "members_5000": {
                **_assembly_step(5000, done_at=71.25),
                "arrival_window_s": 60,
                "voted": 5000,
                "watchers": 5000,
            }
        }
    }
    text = table(record)
    assert "| 5,000 | 60 | 5,000 | 71.2 | 400 | 400 | 400 | 400 | 0 | 5,000 | 500 |" in text
    assert "| votes/s flat out | >= 500 votes/s | 520 | - | pass |" in text
    assert "| 250 | 50 | 250 | 10 | 20 | 30 | 0 | - | - |" in text
    assert "| flat out | 100 | 520 |" in text
    assert "Correctness checks: 1 of 1 passed." in text


def test_http_client_resends_a_get_but_never_a_post_on_a_dropped_connection():
    """A POST whose kept-alive connection dies before the answer may have been acted on (a
    vote counted): sending it again made the bench report 'refused' for a counted vote."""

    async def scenario():
        requests = []

        async def handle(reader, writer):
            # Answers one request, then drops the connection without answering the next.
            head = await reader.readuntil(b"\r\n\r\n")
            requests.append(head.split(b"\r\n")[0])
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
            try:
                head = await reader.readuntil(b"\r\n\r\n")
                requests.append(head.split(b"\r\n")[0])
            except asyncio.IncompleteReadError:
                pass
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server, Client("127.0.0.1", port, 1) as client:
            await client.get("/first")
            again = await client.get("/second")  # dropped on the old connection: resent
            lost = None
            try:
                await client.post("/vote", {"step": "cast"})
            except (ConnectionError, asyncio.IncompleteReadError) as error:
                lost = error
        return again, lost, requests

    again, lost, requests = asyncio.run(scenario())
    assert again.status_code == 200
    assert lost is not None
    assert requests.count(b"POST /vote HTTP/1.1") == 1


def _assembly_step(members: int, *, done_at: float = 70.0, p99_ms: float = 400.0) -> dict:
    step = {"latency_ms": {"p99": p99_ms}, "errors_total": 0}
    return {
        "members": members,
        "last_done_s": done_at,
        "not_done": 0,
        "errors_total": 0,
        "worst_step_p99_ms": p99_ms,
        "steps": {name: step for name in assembly.STEPS},
        "lag_ms": {"p99": 500.0},
    }


def _close_size(electors: int, *, per_elector_s: float, power: float = 1.0) -> dict:
    seconds = per_elector_s * electors**power
    return {"electors": electors, **{p: {"s": seconds} for p in closing.GROWTH_PHASES}}


def test_assembly_arrivals_are_poisson_within_the_window():
    times = assembly.arrivals(5000, 60.0, seed=1)
    assert len(times) == 5000
    assert times == sorted(times)
    assert times[0] > 0 and times[-1] <= 60.0
    gaps = [b - a for a, b in zip([0.0, *times], times, strict=False)]
    mean = sum(gaps) / len(gaps)
    spread = (sum((g - mean) ** 2 for g in gaps) / len(gaps)) ** 0.5
    assert mean == pytest.approx(60.0 / 5000, rel=0.05)
    assert spread / mean == pytest.approx(1.0, abs=0.1)  # exponential gaps, not a metronome
    assert assembly.arrivals(5000, 60.0, seed=1) == times  # seeded: the same run twice


def test_assembly_summary_counts_every_step_and_the_last_member():
    opened = 100.0
    done = assembly.Journey(member=None, due=opened + 1)
    for i, name in enumerate(assembly.STEPS):
        done.requests[name] = (opened + 1 + i, opened + 1.5 + i, True, "")
    done.ack = object()
    refused = assembly.Journey(member=None, due=opened + 2)
    refused.requests["home"] = (opened + 2, opened + 2.1, True, "")
    refused.requests["ballot_page"] = (opened + 2.1, opened + 2.2, False, "status 404")
    refused.failed_at = "ballot_page"
    summary = assembly.step_summary([done, refused], opened, 60.0)
    assert summary["voted"] == 1 and summary["not_done"] == 1
    assert summary["last_done_s"] == 4.5  # the cast answer of the one who voted
    assert summary["steps"]["home"]["ok"] == 2
    assert summary["steps"]["ballot_page"]["errors"] == {"status 404": 1}
    assert summary["steps"]["cast"]["requests"] == 1
    assert summary["failed_at"] == {"ballot_page": 1}
    assert summary["worst_step_p99_ms"] == 500.0
    headline = assembly.headline({"members_2": {**summary, "lag_ms": {"p99": 20.0}}})
    assert headline["errors_total"] == 2  # one refusal, one member who never voted
    assert headline["last_done_s"] is None  # nobody can say when everyone was done


def test_growth_tells_linear_from_quadratic():
    linear = {str(n): _close_size(n, per_elector_s=1e-5) for n in (1000, 13000, 100000)}
    assert set(closing.growth(linear).values()) == {1.0}
    quadratic = {str(n): _close_size(n, per_elector_s=1e-9, power=2) for n in (13000, 100000)}
    assert closing.growth(quadratic)["count"] == pytest.approx(100000 / 13000, rel=0.01)
    assert closing.growth({"1000": linear["1000"]}) == {}


@pytest.mark.parametrize("compression", ["deflate", None])
def test_ws_client_reads_what_a_real_server_sends(compression):
    """bench.ws_client against the websockets library's server: the cookie and Origin arrive,
    short, long and very long messages, fragmented and compressed ones, pings answered, the
    server's close code reported, and a client close ends the socket."""
    from websockets.asyncio.server import serve

    long_text, huge_text = "é" * 200, "x" * 70_000

    async def scenario():
        seen = {}

        async def handler(ws):
            seen["cookie"] = ws.request.headers.get("Cookie")
            seen["origin"] = ws.request.headers.get("Origin")
            seen["extensions"] = ws.response.headers.get("Sec-WebSocket-Extensions")
            for text in ("kort", long_text, huge_text):
                await ws.send(text)
            await ws.send(["in ", "drie ", "delen"])  # a fragmented message
            seen["pong"] = await asyncio.wait_for(await ws.ping(b"p1"), 5) is not None
            await ws.send("laatste")
            await ws.close(1001, "gaat weg")

        async with serve(handler, "127.0.0.1", 0, compression=compression) as server:
            port = server.sockets[0].getsockname()[1]
            received = []
            ws = await _ws_connect(
                f"ws://127.0.0.1:{port}/ws/ballots/1/live/?audience=public",
                compression,
                lambda text, at: received.append((text, at)),
            )
            code = await asyncio.wait_for(ws.closed, 5)
            return seen, received, code

    seen, received, code = asyncio.run(scenario())
    assert seen["cookie"] == "sessionid=abc" and seen["origin"] == "http://127.0.0.1:1"
    assert bool(seen["extensions"]) == (compression == "deflate")
    assert [text for text, _ in received] == [
        "kort",
        long_text,
        huge_text,
        "in drie delen",
        "laatste",
    ]
    assert all(at > 0 for _, at in received) and seen["pong"]
    assert code == 1001


def test_ws_client_closes_and_refuses_a_failed_handshake():
    from websockets.asyncio.server import serve

    from bench import ws_client

    async def scenario():
        async def handler(ws):
            await ws.wait_closed()

        async with serve(handler, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            ws = await _ws_connect(f"ws://127.0.0.1:{port}/")
            await ws.close(5)
            closed_code = ws.closed.result()
        plain = await asyncio.start_server(
            lambda r, w: w.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"),
            "127.0.0.1",
            0,
        )
        async with plain:
            port = plain.sockets[0].getsockname()[1]
            with pytest.raises(ws_client.HandshakeError, match="403"):
                await _ws_connect(f"ws://127.0.0.1:{port}/")
        return closed_code

    assert asyncio.run(scenario()) == 1000


async def _ws_connect(url, compression=None, on_message=lambda text, at: None):
    from bench import ws_client

    return await ws_client.connect(
        url,
        origin="http://127.0.0.1:1",
        cookie="sessionid=abc",
        compression=compression,
        on_message=on_message,
        timeout=5,
    )
