"""A secret vote cannot be joined to its voter: not by key, order, time, transaction, region,
batch, dump, dead tuple or the difference between two views (issue #12).

The attacks are the ones the issue reports, run against the real services (open_ballot,
cast_vote, the worker's seal_open_ballots, close_ballot) with what the attacker holds: the
database (system columns included), the ledger, the exports and pages."""

import csv
import io
import json
import random
import re
import subprocess
from collections import defaultdict

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse

from ballots import exports, services, vote_keys
from ballots.live.snapshot import read_state, render
from ballots.models import Ballot, Elector, LedgerEntry, Participation, PendingVote, Vote
from ballots.receipts import receipt_hash
from ballots.sealing import seal_open_ballots
from tests.conftest import only_on
from tests.factories import BallotFactory, RegionFactory, choice, member, open_ballot

pytestmark = pytest.mark.django_db

VOTE_TABLES = [PendingVote, Vote]
# The issue's electorate: regions of 42, 34, 25, 7, 6, 5 and 1 members.
ISSUE_REGIONS = [42, 34, 25, 7, 6, 5, 1]


def fields_of(model):
    return {f.name: f for f in model._meta.get_fields() if getattr(f, "concrete", False)}


@pytest.mark.parametrize("vote_model", VOTE_TABLES)
def test_vote_tables_have_no_key_to_participation_or_elector_time(vote_model):
    for name, field in fields_of(vote_model).items():
        if field.is_relation:
            assert field.related_model is not Participation, name
        # No time finer than the day on either side (DateField is a day, DateTimeField is not).
        assert not isinstance(field, models.DateTimeField | models.TimeField), name
    for name, field in fields_of(Participation).items():
        assert not isinstance(field, models.DateTimeField | models.TimeField), name
        if field.is_relation:
            assert field.related_model not in VOTE_TABLES, name


def test_a_pending_vote_is_ciphertext_and_nothing_else():
    assert set(fields_of(PendingVote)) == {"id", "ballot", "sealed"}


def electorate(sizes: list[int], seed: int = 0):
    """Members in regions of the given sizes; returns the voters in a shuffled order."""
    people = []
    for n, size in enumerate(sizes):
        region = RegionFactory(name=f"Regio {chr(65 + n)}{seed}")
        people += [member(region=region) for _ in range(size)]
    random.Random(seed).shuffle(people)
    return people


def vote_all(ballot, people, *, seed: int, share: float = 0.8, seal_every: int = 7):
    """Members vote in a random order with a lean, the worker sealing now and then (the
    moments a mix batch used to be written)."""
    rng = random.Random(seed)
    labels = [c.label for c in ballot.choices.all()]
    cast = {}
    for n, person in enumerate(people):
        if rng.random() > share:
            continue
        label = rng.choices(labels, weights=[6, 3, 1])[0]
        services.cast_vote(ballot_id=ballot.pk, user=person, choice=choice(ballot, label).pk)
        cast[person.pk] = label
        if n % seal_every == 0:
            seal_open_ballots()
    return cast


def test_secret_vote_rows_carry_no_elector_and_no_region():
    people = electorate([12, 11])
    ballot = open_ballot()
    vote_all(ballot, people, seed=1, share=1)
    services.close_ballot(ballot)
    assert Vote.objects.filter(ballot=ballot).count() == 23
    assert not Vote.objects.filter(ballot=ballot, elector__isnull=False).exists()
    assert not Vote.objects.filter(ballot=ballot, region__isnull=False).exists()
    for entry in LedgerEntry.objects.filter(ballot=ballot, kind="vote"):
        assert set(entry.payload) == {"choice", "weight", "receipt", "group"}


def test_the_count_puts_votes_in_an_order_unrelated_to_the_voting_order():
    people = electorate([40])
    ballot = open_ballot()
    receipts = [
        services.cast_vote(ballot_id=ballot.pk, user=p, choice=choice(ballot, "Voor").pk)
        for p in people
    ]
    services.close_ballot(ballot)
    cast_order = [receipt_hash(ballot.pk, r.code) for r in receipts]
    stored_order = list(
        Vote.objects.filter(ballot=ballot).order_by("pk").values_list("receipt_hash", flat=True)
    )
    ledger_order = [e.payload["receipt"] for e in ballot.ledger.filter(kind="vote").order_by("seq")]
    assert sorted(stored_order) == sorted(cast_order)
    # A fixed order would survive 40! shuffles with probability 1/40! (about 1e-48).
    assert stored_order != cast_order and ledger_order != cast_order
    assert ledger_order == stored_order  # the ledger follows the mixed order, not the cast one


def test_nothing_is_mixed_or_counted_while_open_only_the_box_is_sealed():
    people = electorate([30])
    ballot = open_ballot()
    vote_all(ballot, people, seed=2, share=1, seal_every=5)
    assert not Vote.objects.filter(ballot=ballot).exists()
    assert not ballot.ledger.filter(kind="vote").exists()
    seals = list(ballot.ledger.filter(kind="box_seal").order_by("seq"))
    assert seals and seals[-1].payload["participations"] <= 30
    assert {"participations", "pending_votes", "pending_digest"} == set(seals[-1].payload)


def test_pending_votes_are_one_length_and_unreadable_once_counted(
    django_capture_on_commit_callbacks,
):
    people = electorate([20])
    ballot = open_ballot()
    receipts = []
    for n, person in enumerate(people):
        label = ["Voor", "Tegen", "Onthouding"][n % 3]
        receipts.append(
            services.cast_vote(ballot_id=ballot.pk, user=person, choice=choice(ballot, label).pk)
        )
    rows = list(PendingVote.objects.filter(ballot=ballot))
    assert len({len(bytes(r.sealed)) for r in rows}) == 1  # the length says nothing
    digest = receipt_hash(ballot.pk, receipts[0].code).encode()
    assert not any(digest in bytes(r.sealed) for r in rows)
    ballot.refresh_from_db()
    key_id = ballot.vote_key_id
    assert vote_keys.key_exists(key_id)
    # With the key (the running server) a pending vote opens: the positive control.
    assert "parts" in vote_keys.open_sealed(key_id, ballot.pk, rows[0].sealed)
    # Moved to another ballot, a ciphertext does not decrypt.
    with pytest.raises(ValueError):
        vote_keys.open_sealed(key_id, ballot.pk + 1, rows[0].sealed)
    with django_capture_on_commit_callbacks(execute=True):
        services.close_ballot(ballot)  # the key goes once the count has committed
    assert not vote_keys.key_exists(key_id)
    with pytest.raises(vote_keys.KeyMissing):
        vote_keys.open_sealed(key_id, ballot.pk, rows[0].sealed)


# --- reporting groups: small regions, one small region, "Overig" ----------------------------


def test_reporting_groups_merge_small_regions_and_never_leave_one_alone():
    people = electorate(ISSUE_REGIONS, seed=3)
    ballot = open_ballot()
    groups = list(ballot.reporting_groups.prefetch_related("regions"))
    k = settings.REPORTING_GROUP_MINIMUM
    sizes = {g.pk: Elector.objects.filter(ballot=ballot, group=g).count() for g in groups}
    assert len(groups) == 4  # 42, 34, 25 alone; 7 + 6 + 5 + 1 together
    for group in groups:
        assert sizes[group.pk] >= k
        if group.regions.count() == 1:
            assert (
                sizes[group.pk]
                == Elector.objects.filter(ballot=ballot, region=group.regions.get()).count()
            )
    opened = ballot.ledger.get(kind="opened").payload
    assert [g["electors"] for g in opened["reporting_groups"]] == [sizes[g.pk] for g in groups]
    assert len(people) == sum(ISSUE_REGIONS)


@pytest.mark.parametrize("seed", [4, 5])
def test_one_small_region_is_in_no_export_page_ledger_or_document(client, seed):
    """Issue #12 item 2: the region of one member; its vote must not be readable anywhere."""
    people = electorate(ISSUE_REGIONS, seed=seed)
    ballot = open_ballot()
    vote_all(ballot, people, seed=seed, share=0.95)
    services.close_ballot(ballot)
    ballot.refresh_from_db()
    lonely = Elector.objects.get(ballot=ballot, region__name=f"Regio G{seed}")  # 1 member
    lonely_region = lonely.region
    data = exports.export_data(ballot)
    published = data["regions"]
    # No published figure belongs to a group of fewer than K electors or one small region.
    for name in published:
        assert name != lonely_region.name
    group_of = {g.name: g for g in ballot.reporting_groups.all()}
    for name, weights in published.items():
        group = group_of[name]
        assert group.electors.count() >= settings.REPORTING_GROUP_MINIMUM
        assert sum(weights.values()) >= settings.REPORTING_GROUP_MINIMUM
    text = exports.as_csv(ballot).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert not any(lonely_region.name == cell for row in rows for cell in row)
    assert json.loads(exports.as_json(ballot))["regions"] == published
    for entry in ballot.ledger.filter(kind="vote"):
        assert "region" not in entry.payload
    # The results page says what it counts: groups, never regions.
    client.force_login(people[0])
    page = client.get(reverse("ballots:results", args=[ballot.pk])).content.decode()
    assert "Per groep van regio" in page and ">Regio G" not in page


def test_too_few_voters_in_a_group_means_no_breakdown_anywhere():
    people = electorate([12, 11])
    ballot = open_ballot()
    # Everyone in the first region votes, two in the second: that group's 2 votes would show.
    first = Elector.objects.filter(ballot=ballot, region__name="Regio A0").select_related("user")
    second = Elector.objects.filter(ballot=ballot, region__name="Regio B0").select_related("user")
    for elector in [*first, *list(second)[:2]]:
        services.cast_vote(ballot_id=ballot.pk, user=elector.user, choice=choice(ballot, "Voor").pk)
    services.close_ballot(ballot)
    ballot.refresh_from_db()
    assert ballot.final_result["regions"] == {}
    assert "minder dan" in ballot.final_result["breakdown"]["note"]
    assert not Vote.objects.filter(ballot=ballot, group__isnull=False).exists()
    assert all("group" not in e.payload for e in ballot.ledger.filter(kind="vote"))
    assert len(people) == 23


# --- secret weighted ballots ---------------------------------------------------------------


def test_a_weighted_ballot_cannot_be_secret():
    """Issue #12 items 3 and 6: with known weights, per-choice totals (and one elector per
    region) give every ambassador's choice away, so a weighted ballot is always a roll call."""
    ballot = BallotFactory.build(electorate="ambassadors", secrecy="secret")
    with pytest.raises(Exception, match="altijd hoofdelijk"):
        ballot.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotFactory(electorate="ambassadors", secrecy="secret")


def test_a_secret_ballot_cannot_show_an_interim_tally():
    ballot = BallotFactory.build(secrecy="secret", result_visibility="everyone")
    with pytest.raises(Exception, match="tussenstand"):
        ballot.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotFactory(secrecy="secret", result_visibility="board")


# --- two views at two moments --------------------------------------------------------------


def _views(client, ballot, viewer):
    client.force_login(viewer)
    page = client.get(reverse("ballots:results", args=[ballot.pk])).content.decode()
    state = read_state(ballot.pk)
    frames = {a: render(state, a) for a in ("member", "board")}
    for frame in frames.values():
        frame.pop("version"), frame.pop("turnout"), frame.pop("regions")
    # Turnout moves, and may: it says who took part, never what they chose.
    page = re.sub(r'<section aria-labelledby="turnout-heading">.*?</section>', "", page, flags=re.S)
    page = re.sub(r"<strong>\d+</strong> van \d+", "", page)
    page = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", page)  # fresh per response
    return page, frames


def test_two_views_of_an_open_secret_ballot_differ_only_in_turnout(client):
    """Issue #12 item 5: Groningen 5/0/0, then one more vote, then 5/1/0."""
    from tests.factories import add_totp, board_member

    people = electorate([15, 12])
    ballot = open_ballot()
    board = board_member()
    add_totp(board)
    for person in people[:10]:
        services.cast_vote(ballot_id=ballot.pk, user=person, choice=choice(ballot, "Voor").pk)
    seal_open_ballots()
    before = _views(client, ballot, people[20]), _views(client, ballot, board)
    services.cast_vote(ballot_id=ballot.pk, user=people[10], choice=choice(ballot, "Tegen").pk)
    seal_open_ballots()
    after = _views(client, ballot, people[20]), _views(client, ballot, board)
    assert before == after
    assert "er is geen tussenstand" in before[0][0]
    assert read_state(ballot.pk).tally is None


# --- the batch x group attack --------------------------------------------------------------


def attack(ballot: Ballot, *, use_xmin: bool) -> dict[int, str]:
    """What an attacker with a dump pins down: elector id -> a choice known for certain.

    A vote row could belong to an elector only if that elector's group (or region) matches
    what the row carries and the elector had voted before the row's batch was written
    (batch = the row's xmin on PostgreSQL, or its stretch between two ledger seals); where
    every row an elector could own carries one choice, that choice is certain."""
    electors = {e.pk: e for e in Elector.objects.filter(ballot=ballot)}
    with connection.cursor() as cursor:
        if use_xmin:
            cursor.execute(
                "SELECT id, choice_id, region_id, group_id, xmin::text::bigint "
                "FROM ballots_vote WHERE ballot_id = %s",
                [ballot.pk],
            )
            rows = cursor.fetchall()
            cursor.execute(
                "SELECT elector_id, xmin::text::bigint FROM ballots_participation "
                "WHERE ballot_id = %s",
                [ballot.pk],
            )
            voted_at = dict(cursor.fetchall())
        else:
            # Batches from the ledger: the votes between two seals, numbered in order.
            batch, batch_of = 0, {}
            for entry in ballot.ledger.order_by("seq"):
                if entry.kind in ("seal", "box_seal", "closed"):
                    batch += 1
                elif entry.kind == "vote":
                    batch_of[entry.pk] = batch
            rows = [
                (v.pk, v.choice_id, v.region_id, v.group_id, batch_of.get(v.ledger_entry_id, 0))
                for v in Vote.objects.filter(ballot=ballot)
            ]
            # Participations in id order; each was before the batches sealed after it: the
            # most generous reading for the attacker is that it precedes every batch.
            voted_at = {p.elector_id: -1 for p in Participation.objects.filter(ballot=ballot)}
    possible: dict[int, set] = defaultdict(set)
    for _pk, choice_id, region_id, group_id, batch in rows:
        for elector_id, when in voted_at.items():
            elector = electors[elector_id]
            if region_id is not None and elector.region_id != region_id:
                continue
            if group_id is not None and elector.group_id != group_id:
                continue
            if when < batch:
                possible[elector_id].add(choice_id)
    return {e: next(iter(c)) for e, c in possible.items() if len(c) == 1}


def _unanimous_electors(ballot: Ballot) -> set[int]:
    """Electors whose choice a published aggregate already gives away: a unanimous group,
    or a unanimous ballot."""
    result = ballot.final_result
    voted = set(Participation.objects.filter(ballot=ballot).values_list("elector_id", flat=True))
    if sum(1 for c in result["choices"] if c["votes"]) == 1:
        return voted
    unanimous = {
        name for name, w in result["regions"].items() if sum(1 for v in w.values() if v) == 1
    }
    return {
        e.pk
        for e in Elector.objects.filter(ballot=ballot, group__name__in=unanimous)
        if e.pk in voted
    }


@pytest.mark.parametrize("seed", [11, 12, 13])
@pytest.mark.parametrize("sizes", [ISSUE_REGIONS, [18, 13, 9, 4, 3, 2, 1]])
def test_batch_by_group_attack_pins_down_nobody_after_closing(sizes, seed):
    people = electorate(sizes, seed=seed)
    ballot = open_ballot()
    cast = vote_all(ballot, people, seed=seed, share=0.9, seal_every=3)
    services.close_ballot(ballot)
    ballot.refresh_from_db()
    allowed = _unanimous_electors(ballot)
    use_xmin = connection.vendor == "postgresql"
    for method in {use_xmin, False}:
        pinned = attack(ballot, use_xmin=method)
        assert set(pinned) <= allowed, (method, len(set(pinned) - allowed))
    assert len(cast) == Participation.objects.filter(ballot=ballot).count()


def test_while_open_a_dump_holds_no_vote_to_attack():
    people = electorate(ISSUE_REGIONS, seed=14)
    ballot = open_ballot()
    vote_all(ballot, people, seed=14, share=0.9, seal_every=2)
    assert not Vote.objects.filter(ballot=ballot).exists()
    assert attack(ballot, use_xmin=connection.vendor == "postgresql") == {}
    assert not ballot.ledger.filter(kind="vote").exists()


# --- PostgreSQL: a real dump, and dead tuples ----------------------------------------------


def _database_name() -> str:
    return connection.settings_dict["NAME"]


@only_on("postgresql")
@pytest.mark.django_db(transaction=True)
def test_a_pg_dump_taken_while_open_links_no_voter_to_a_choice():
    people = electorate([15, 12], seed=21)
    ballot = open_ballot()
    cast = vote_all(ballot, people, seed=21, share=1)
    dump = subprocess.run(
        [
            "pg_dump",
            "-h",
            connection.settings_dict["HOST"] or "127.0.0.1",
            "-U",
            connection.settings_dict["USER"] or "postgres",
            "--data-only",
            "--inserts",
            "-t",
            "ballots_pendingvote",
            "-t",
            "ballots_participation",
            "-t",
            "ballots_ledgerentry",
            "-t",
            "ballots_vote",
            _database_name(),
        ],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    pending = re.findall(r"INSERT INTO public\.ballots_pendingvote VALUES \((.*)\);", dump)
    assert len(pending) == len(cast)
    for row in pending:
        _row_id, row_ballot, sealed = [part.strip() for part in row.split(",", 2)]
        assert row_ballot == str(ballot.pk)
        assert sealed.startswith("'\\x")  # bytea: ciphertext, nothing else in the row
    assert "INSERT INTO public.ballots_vote" not in dump
    choice_ids = {str(c.pk) for c in ballot.choices.all()}
    for line in dump.splitlines():
        if "ballots_ledgerentry" in line and f", {ballot.pk}," in line:
            assert '"choice"' not in line, line  # no vote in the ledger while open
    # The ciphertext cannot be read without the key file; after the count it is gone.
    services.close_ballot(ballot)
    ballot.refresh_from_db()
    sealed = bytes.fromhex(pending[0].split(",", 2)[2].strip()[3:-1])
    with pytest.raises(vote_keys.KeyMissing):
        vote_keys.open_sealed(ballot.vote_key_id, ballot.pk, sealed)
    assert choice_ids


@only_on("postgresql")
@pytest.mark.django_db(transaction=True)
def test_dead_pending_tuples_read_with_pageinspect_hold_no_readable_vote():
    """Issue #12 item 7: with autovacuum off, deleted PendingVote rows stay in the pages."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cursor.execute("ALTER TABLE ballots_pendingvote SET (autovacuum_enabled = false)")
    people = electorate([14, 11], seed=22)
    ballot = open_ballot()
    vote_all(ballot, people, seed=22, share=1)
    services.close_ballot(ballot)
    ballot.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size('ballots_pendingvote') / 8192")
        pages = cursor.fetchone()[0]
        tuples = []
        for page in range(pages):
            cursor.execute(
                "SELECT t_xmax::text, t_data FROM heap_page_items("
                "get_raw_page('ballots_pendingvote', %s))",
                [page],
            )
            tuples += [(xmax, bytes(data)) for xmax, data in cursor.fetchall() if data]
        cursor.execute("ALTER TABLE ballots_pendingvote RESET (autovacuum_enabled)")
    dead = [data for xmax, data in tuples if xmax != "0"]
    # Deleted pending votes are still in the pages (those page pruning has not cleared).
    assert 0 < len(dead) <= 25
    choice_labels = [c.label.encode() for c in ballot.choices.all()]
    for data in dead:
        assert b'"parts"' not in data and not any(label in data for label in choice_labels)
        # The tuple holds the ciphertext: trying the key shows it is gone.
        sealed = data[-(12 + vote_keys.PLAINTEXT_BYTES + 16) :]
        with pytest.raises(vote_keys.KeyMissing):
            vote_keys.open_sealed(ballot.vote_key_id, ballot.pk, sealed)
