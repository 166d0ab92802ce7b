"""Ballot definitions as files (issue #14, item 2): export_ballot, import_ballot, templates."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from ballots import definitions
from ballots.models import Ballot, BallotStatus
from tests.factories import BallotFactory, PositionPaperFactory, QuestionFactory, RegionFactory

pytestmark = pytest.mark.django_db


def _rich_ballot():
    """Every setting away from its default, links and regions included."""
    north, south = RegionFactory(code="noord"), RegionFactory(code="zuid")
    RegionFactory(code="west")
    ballot = BallotFactory(
        question="Tekent de vereniging het akkoord?",
        description="## Waarom\n\nOmdat *het* kan.",
        electorate="ambassadors",
        secrecy="named",
        result_visibility="board",
        majority="qualified",
        base="cast",
        quorum_percent="66.67",
        proxies_allowed=True,
        max_proxies_held=3,
        vote_change_allowed=True,
        vote_splitting=True,
        attendance_required=True,
        with_choices=False,
    )
    for order, (label, role) in enumerate(
        [("Tekenen", "for"), ("Niet tekenen", "against"), ("Blanco", "abstain"), ("Nee", "against")]
    ):
        ballot.choices.create(label=label, role=role, order=order)
    ballot.regions.set([south, north])
    ballot.read_first_questions.set([QuestionFactory(label="B"), QuestionFactory(label="A")])
    ballot.read_first_papers.set([PositionPaperFactory(slug="lhv-standpunt")])
    return ballot


def _export(ballot, tmp_path, name="def.json"):
    path = tmp_path / name
    call_command("export_ballot", str(ballot.pk), "-o", str(path), stderr=io.StringIO())
    return path


def _import(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ballot", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_then_import_reproduces_the_definition_exactly(tmp_path):
    original = _rich_ballot()
    path = _export(original, tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == definitions.FORMAT and data["kind"] == "proposal"
    assert data["regions"] == ["noord", "zuid"] and data["quorum_percent"] == 66.67
    assert "opens_at" not in data and "closes_at" not in data and "status" not in data

    before = set(Ballot.objects.values_list("pk", flat=True))
    out, _err = _import(path)
    (new_pk,) = set(Ballot.objects.values_list("pk", flat=True)) - before
    imported = Ballot.objects.get(pk=new_pk)
    assert f"stemming {new_pk}" in out
    assert imported.status == BallotStatus.DRAFT
    assert definitions.to_dict(imported) == definitions.to_dict(original)
    # The file written from the copy is the same file, byte for byte.
    assert _export(imported, tmp_path, "again.json").read_bytes() == path.read_bytes()
    # No dates in the past for the new draft.
    assert imported.opens_at > original.opens_at and imported.closes_at > imported.opens_at


def test_dry_run_creates_nothing(tmp_path):
    path = _export(_rich_ballot(), tmp_path)
    count = Ballot.objects.count()
    out, _err = _import(path, "--dry-run")
    assert "in orde" in out and Ballot.objects.count() == count


def test_a_bad_file_imports_nothing_and_names_every_problem(tmp_path):
    RegionFactory(code="noord")
    QuestionFactory(label="C", status="draft")  # not published: cannot be linked
    bad = {
        "format": 1,
        "kind": "proposal",
        "question": "",
        "colour": "blue",
        "options": [
            {"label": "Voor", "role": "for"},
            {"label": "voor", "role": "maybe"},
            {"label": 3},
        ],
        "settings": {"seats": 2},
        "electorate": "ambassadors",
        "secrecy": "secret",
        "result_visibility": "everyone",
        "majority": "most",
        "quorum_percent": 120,
        "proxies_allowed": "yes",
        "max_proxies_held": 0,
        "vote_change_allowed": True,
        "regions": ["noord", "atlantis"],
        "read_first": {"faq": [{"topic": "x", "label": "C"}], "papers": ["geen-standpunt"]},
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    count = Ballot.objects.count()
    with pytest.raises(CommandError, match="niets aangemaakt"):
        _import(path)
    assert Ballot.objects.count() == count
    with pytest.raises(definitions.DefinitionError) as raised:
        definitions.load(path.read_text(encoding="utf-8"))
    paths = {problem.path for problem in raised.value.problems}
    assert paths >= {
        "colour",
        "question",
        "options[1].label",
        "options[1].role",
        "options[2].label",
        "options[2].role",
        "settings.seats",
        "secrecy",
        "result_visibility",
        "vote_change_allowed",
        "majority",
        "quorum_percent",
        "proxies_allowed",
        "max_proxies_held",
        "regions[1]",
        "read_first.faq[0]",
        "read_first.papers[0]",
    }, paths
    assert all(problem.message for problem in raised.value.problems)


def test_import_reports_to_stderr_and_exits_non_zero(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": 1, "kind": "proposal",,}', encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ballot", str(path), stdout=io.StringIO(), stderr=err)
    assert "Geen geldige JSON (regel 1" in err.getvalue()


def test_duplicate_keys_and_unknown_kind_are_named():
    with pytest.raises(definitions.DefinitionError, match="twee keer"):
        definitions.load('{"format": 1, "format": 1}')
    with pytest.raises(definitions.DefinitionError) as raised:
        definitions.check({"format": 2, "kind": "lottery", "question": "?", "options": []})
    paths = {p.path for p in raised.value.problems}
    assert {"format", "kind", "options"} <= paths


@pytest.mark.parametrize("name", definitions.template_names())
def test_every_template_in_the_repository_is_valid(name):
    checked = definitions.load(definitions.template_text(name))
    assert checked.definition["kind"] in definitions.KINDS


def test_the_association_templates_are_there():
    by_electorate = {}
    for name in definitions.template_names():
        d = definitions.load(definitions.template_text(name)).definition
        by_electorate[d["electorate"]] = d
    agreement, consultation = by_electorate["ambassadors"], by_electorate["members"]
    assert agreement["secrecy"] == "named" and agreement["majority"] == "absolute"
    assert agreement["quorum_percent"] is not None
    assert consultation["secrecy"] == "secret"
    assert definitions.template_text("../settings") is None


KIND_SETTINGS = {
    "single": {"runoff": True},
    "approval": {"seats": 2, "max_choices": 3},
    "ranked": {"seats": 1},
    "election": {"seats": 2, "ranked_election": True, "max_choices": None},
}


@pytest.mark.parametrize("kind", sorted(KIND_SETTINGS))
def test_every_kind_round_trips_through_a_file(tmp_path, kind):
    """Issue #14: the kind and its settings (and a candidate's statement) survive export and
    import exactly."""
    from ballots.models import OPTION, Choice
    from tests.factories import BallotFactory

    ballot = BallotFactory(
        with_choices=False, kind=kind, **KIND_SETTINGS[kind], question=f"Een {kind}-stemming"
    )
    for order, label in enumerate(["Ans", "Bert", "Cor", "Dirk"]):
        Choice.objects.create(
            ballot=ballot,
            label=label,
            role=OPTION,
            order=order,
            statement=f"Toelichting van {label}" if kind == "election" else "",
        )
    path = _export(ballot, tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["kind"] == kind and data["settings"] == KIND_SETTINGS[kind]
    before = set(Ballot.objects.values_list("pk", flat=True))
    _import(path)
    (new_pk,) = set(Ballot.objects.values_list("pk", flat=True)) - before
    imported = Ballot.objects.get(pk=new_pk)
    assert definitions.to_dict(imported) == definitions.to_dict(ballot)
    assert set(imported.choices.values_list("role", flat=True)) == {OPTION}


def test_kind_settings_that_do_not_fit_the_options_are_named():
    data = json.loads(definitions.template_text("bestuursverkiezing"))
    data["settings"] = {"seats": 4, "ranked_election": "ja", "max_choices": 9, "zetels": 2}
    with pytest.raises(definitions.DefinitionError) as refused:
        definitions.check(data)
    paths = {problem.path for problem in refused.value.problems}
    assert {"settings.zetels", "settings.ranked_election"} <= paths
    data["settings"] = {"seats": 4, "ranked_election": True, "max_choices": 9}
    with pytest.raises(definitions.DefinitionError) as refused:
        definitions.check(data)
    paths = {problem.path for problem in refused.value.problems}
    assert {"settings.seats", "settings.max_choices"} <= paths
