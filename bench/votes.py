"""The `votes` scenario: members vote through the real form, as a browser does.

For each elector, beforehand: GET the ballot page (CSRF cookie and token, the form), POST
the review step (the confirmation page, with its own form). Then, measured: POST the cast step
and read the receipt code from the answer. The acknowledgement time (µs since the epoch, when
the answer arrived) is what the `live` scenario measures lag from.

The review step is prepared before the clock starts because the issue's figure is the vote
itself (the durable commit and the receipt); how fast electors get through page + review is
reported beside it ("prepare").
"""

import random
import time
from dataclasses import dataclass

from bench import loadgen
from bench.client import Browser, error_kind, find_form, make_client, receipt_code
from bench.prepare import Member


@dataclass
class Ballot:
    id: int

    @property
    def page(self) -> str:
        return f"/stemmingen/{self.id}/"

    @property
    def action(self) -> str:
        return f"/stemmingen/{self.id}/stemmen/"


@dataclass
class Voter:
    member: Member
    browser: Browser
    fields: dict | None = None  # the confirmation page's form, ready to POST


@dataclass(frozen=True)
class Ack:
    user_id: int
    at_us: int  # when the receipt arrived, µs since the epoch
    code: str


async def prepare(
    base_url: str,
    ballot: Ballot,
    members: list[Member],
    *,
    seed: int,
    concurrency: int,
    seconds: float,
) -> tuple[list[Voter], dict]:
    """Page + review for every member; returns the voters ready to cast and a summary."""
    rng = random.Random(seed)
    voters = [Voter(m, Browser(base_url, {"sessionid": m.session_key})) for m in members]
    async with make_client(base_url, concurrency) as client:

        async def review(voter: Voter):
            page = await client.get(ballot.page, headers=voter.browser.header())
            voter.browser.remember(page)
            if page.status_code != 200:
                return False, "page: " + error_kind(page), None
            form = find_form(page.text, ballot.action, step="review")
            if form is None or not form.radios.get("choice"):
                return False, "page: no vote form", None
            data = {**form.fields, "choice": rng.choice(form.radios["choice"])}
            confirm = await client.post(
                ballot.action, data=data, headers=voter.browser.post_headers(ballot.page)
            )
            voter.browser.remember(confirm)
            if confirm.status_code != 200:
                return False, "review: " + error_kind(confirm), None
            cast = find_form(confirm.text, ballot.action, step="cast")
            if cast is None:
                return False, "review: no confirmation form", None
            voter.fields = cast.fields
            return True, "", None

        outcomes = await loadgen.flat_out(voters, review, concurrency=concurrency, seconds=seconds)
    ready = [v for v in voters if v.fields is not None]
    return ready, loadgen.summarize(outcomes)


async def cast(
    base_url: str,
    ballot: Ballot,
    voters: list[Voter],
    *,
    rate: float | None,
    concurrency: int,
    seconds: float,
) -> tuple[list[Ack], dict]:
    """The cast POST of every voter, flat out (`rate` None, `concurrency` clients) or at
    `rate` per second (up to 256 connections, as many browsers would open)."""
    connections = concurrency if rate is None else max(concurrency, 256)
    async with make_client(base_url, connections) as client:

        async def vote(voter: Voter):
            response = await client.post(
                ballot.action,
                data=voter.fields,
                headers=voter.browser.post_headers(ballot.action),
            )
            at_us = time.time_ns() // 1000
            if response.status_code != 200:
                return False, error_kind(response), None
            code = receipt_code(response.text)
            if code is None:
                return False, "200 without a receipt code", None
            return True, "", Ack(voter.member.user_id, at_us, code)

        if rate is None:
            outcomes = await loadgen.flat_out(
                voters, vote, concurrency=concurrency, seconds=seconds
            )
        else:
            outcomes = await loadgen.at_rate(
                voters, vote, per_second=rate, seconds=seconds, max_in_flight=connections
            )
    acks = [o.value for o in outcomes if o.ok]
    summary = loadgen.summarize(outcomes, offered=rate)
    return acks, summary


def step_figures(summary: dict, prepared: dict) -> dict:
    """A step's figures under the names the targets and the table use."""
    return {
        "offered_per_s": summary["offered_per_s"],
        "votes": summary["ok"],
        "votes_per_s": summary["per_s"],
        "duration_s": summary["duration_s"],
        "cast_ms": summary["latency_ms"],
        "errors_total": summary["errors_total"],
        "errors": summary["errors"],
        "send_slip_ms_p99": summary["send_slip_ms_p99"],
        "ok_per_second": summary["ok_per_second"],
        "prepare": {
            "electors_per_s": prepared["per_s"],
            "page_and_review_ms": prepared["latency_ms"],
            "errors_total": prepared["errors_total"],
            "errors": prepared["errors"],
        },
    }
