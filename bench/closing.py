"""The `close` scenario: a secret member ballot at the association's size and far beyond,
in one process on a throwaway PostgreSQL database (issue #12; scale figures of issue #18).

Per electorate size (19 regions): open the ballot (freezing the electorate and reporting
groups), fill the box with one encrypted pending vote per elector (bulk, as if cast), then
close while a voter keeps casting: how long until voting stops (the gate), how long a vote
sent meanwhile waits before it is refused, the count (the one mix and the seal, in bounded
batches), the tally, `verify_ledger`'s check, the exports and the proces-verbaal's render.
Peak memory is the process's resident set sampled every 10 ms during each phase, above what
it was when the phase started.
"""

import threading
import time

SIZES_FULL = [1_000, 13_000, 100_000]
SIZES_QUICK = [500, 2_000]
REGIONS = 19


class _PeakRss:
    """Samples /proc/self/statm while a phase runs; `.mib` = peak above the start."""

    def __init__(self):
        self._stop = threading.Event()
        self.start = self.peak = self._rss()

    @staticmethod
    def _rss() -> int:
        import os

        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def __enter__(self):
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        self.began = time.perf_counter()
        return self

    def _sample(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self._rss())

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.began
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def mib(self) -> float:
        return round((self.peak - self.start) / 2**20, 1)


def _phase(figures: dict, name: str, action):
    with _PeakRss() as measured:
        result = action()
    figures[name] = {"s": round(measured.seconds, 3), "peak_mib": measured.mib}
    return result


def make_members(count: int, tag: str) -> None:
    """`count` active members over REGIONS regions, inserted in bulk with SQL. The members of
    an earlier size end first: each size's electorate is its own size (the 100,000 step
    counted 114,600 electors while its growth figure divided by 100,200)."""
    from django.db import connection

    from members.models import Membership, MembershipStatus, Region

    Membership.objects.filter(status=MembershipStatus.ACTIVE).update(status=MembershipStatus.ENDED)

    regions = [
        Region.objects.get_or_create(code=f"bench-{i:02d}", defaults={"name": f"Bench {i:02d}"})[0]
        for i in range(REGIONS)
    ]
    region_ids = [r.pk for r in regions]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO members_user (password, email, full_name, is_active, is_staff, "
            "is_superuser, date_joined) SELECT '!', %s || n || '@bench.test', 'Lid ' || n, "
            "true, false, false, now() FROM generate_series(1, %s) AS n",
            [f"{tag}-", count],
        )
        cursor.execute(
            "INSERT INTO members_membership (user_id, membership_number, region_id, status, "
            "joined_on, updated_at) SELECT u.id, %s || u.id, (%s::bigint[])[1 + u.id %% %s], "
            "'active', current_date, now() FROM members_user u WHERE u.email LIKE %s",
            [f"{tag}-", region_ids, REGIONS, f"{tag}-%"],
        )


def fill_box(ballot, electors: list[tuple[int, int | None]], choice_ids: list[int]) -> None:
    """One participation and one encrypted pending vote per (elector id, group id), in bulk,
    as `cast_vote` would have written them one by one."""
    import secrets

    from ballots import vote_keys
    from ballots.models import Participation, PendingVote
    from ballots.receipts import new_receipt_code, receipt_hash

    for start in range(0, len(electors), 5000):
        batch = electors[start : start + 5000]
        Participation.objects.bulk_create(
            Participation(ballot_id=ballot.pk, elector_id=elector_id) for elector_id, _g in batch
        )
        PendingVote.objects.bulk_create(
            PendingVote(
                ballot_id=ballot.pk,
                sealed=vote_keys.seal(
                    ballot.vote_key_id,
                    ballot.pk,
                    {
                        "parts": [[secrets.choice(choice_ids), 1]],
                        "receipt": receipt_hash(ballot.pk, new_receipt_code()),
                        "group": group_id,
                    },
                ),
            )
            for _e, group_id in batch
        )


def _keep_voting(ballot_id: int, users: list, stop: threading.Event, seen: dict) -> None:
    """Cast real votes until refused; record how long the refused one waited."""
    from django.db import connection

    from ballots.errors import BallotClosed
    from ballots.services import cast_vote

    choice_id = seen["choice"]
    try:
        for user in users:
            if stop.is_set():
                break
            began = time.perf_counter()
            try:
                cast_vote(ballot_id=ballot_id, user=user, choice=choice_id)
                seen["accepted"] += 1
            except BallotClosed:
                seen["refused_wait_s"] = round(time.perf_counter() - began, 4)
                seen["refused_at"] = time.perf_counter()
                break
    finally:
        connection.close()


def run_size(size: int) -> dict:
    import datetime

    from django.utils import timezone

    from ballots import services
    from ballots.ballot_box import published
    from ballots.counting import count
    from ballots.documents import ApprovalLine, render_result_pdf
    from ballots.exports import as_csv, as_json
    from ballots.models import Ballot, Elector, Vote
    from ballots.tally import result_summary
    from ballots.verification import verify_ballot
    from members.models import User

    tag = f"close{size}"
    reserve = 200  # electors the live voter casts with while the close happens
    make_members(size + reserve, tag)
    now = timezone.now()
    ballot = Ballot.objects.create(
        question=f"Bench: sluiten bij {size} stemmen",
        opens_at=now,
        closes_at=now + datetime.timedelta(days=1),
        secrecy="secret",
        electorate="members",
    )
    services.add_default_choices(ballot)
    figures: dict = {}
    _phase(figures, "open", lambda: services.open_ballot(ballot, notify=False))
    ballot.refresh_from_db()
    # What the growth figures divide by: the electorate the ballot froze, counted.
    figures["electors"] = Elector.objects.filter(ballot=ballot).count()
    live_users = list(User.objects.filter(email__startswith=f"{tag}-").order_by("pk")[:reserve])
    live_ids = {u.pk for u in live_users}
    electors = [
        (pk, group)
        for pk, group, user_id in Elector.objects.filter(ballot=ballot).values_list(
            "pk", "group_id", "user_id"
        )
        if user_id not in live_ids
    ]
    choice_ids = list(ballot.choices.values_list("pk", flat=True))
    started = time.perf_counter()
    fill_box(ballot, electors, choice_ids)
    figures["fill_s"] = round(time.perf_counter() - started, 2)

    stop = threading.Event()
    seen = {"accepted": 0, "choice": choice_ids[0]}
    voter = threading.Thread(
        target=_keep_voting, args=(ballot.pk, live_users, stop, seen), daemon=True
    )
    voter.start()
    time.sleep(0.3)  # votes are arriving
    stop_began = time.perf_counter()
    _phase(figures, "stop_voting", lambda: services.stop_voting(ballot))
    voter.join(timeout=30)
    stop.set()
    figures["votes_during_close"] = seen["accepted"]
    figures["late_vote_refused_after_s"] = round(
        seen.get("refused_at", float("nan")) - stop_began, 4
    )
    figures["late_vote_waited_s"] = seen.get("refused_wait_s")
    _phase(figures, "count", lambda: count(ballot))
    ballot.refresh_from_db()
    _phase(figures, "tally", lambda: result_summary(ballot))
    report = _phase(figures, "verify_ledger", lambda: verify_ballot(ballot))
    _phase(figures, "export_json", lambda: as_json(ballot))
    _phase(figures, "export_csv", lambda: as_csv(ballot))
    box = _phase(figures, "ballot_box", lambda: published(ballot))
    figures["ballot_box_mib"] = round(len(box) / 2**20, 1)
    _phase(
        figures,
        "render_pdf",
        lambda: render_result_pdf(
            ballot,
            approvals=[ApprovalLine("Bench", timezone.now())],
            seal=ballot.final_seal,
            verify_url="https://stem.vereniging.example/stemmingen/controleren/",
            generated_at=timezone.now(),
            development_certificate=True,
        ),
    )
    counted = Vote.objects.filter(ballot=ballot).count()
    expected = len(electors) + seen["accepted"]
    figures["checks"] = {
        "ledger_verifies": report.ok,
        "counted_equals_cast": counted == expected,
        "counted": counted,
        "cast": expected,
        "problems": report.problems[:3],
    }
    return figures


GROWTH_PHASES = (
    "open",
    "count",
    "tally",
    "verify_ledger",
    "export_json",
    "ballot_box",
    "render_pdf",
)


def growth(sizes: dict) -> dict:
    """Per phase: seconds per elector at the largest size over seconds per elector at the
    one before it (1.0 grows linearly, 7.7 would be quadratic from 13,000 to 100,000)."""
    if len(sizes) < 2:
        return {}
    (_, middle), (_, largest) = sorted(sizes.items(), key=lambda kv: kv[1]["electors"])[-2:]
    out = {}
    for phase in GROWTH_PHASES:
        small, big = middle[phase]["s"], largest[phase]["s"]
        if small > 0:
            ratio = (big / largest["electors"]) / (small / middle["electors"])
            out[phase] = round(ratio, 2)
    return out


def run(*, quick: bool) -> dict:
    sizes = SIZES_QUICK if quick else SIZES_FULL
    measured = {str(size): run_size(size) for size in sizes}
    return {"sizes": measured, "growth": growth(measured)}
