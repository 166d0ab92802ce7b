"""Results as JSON, CSV and XLSX: per choice, per region, outcome, turnout, and the roll call
of named ballots. Never a voter's identity for a secret ballot."""

import csv
import io
import json

from ballots import ledger
from ballots.models import Ballot, Vote
from ballots.tally import result_summary

FORMATS = ("json", "csv", "xlsx", "pdf")


def roll_call(ballot: Ballot) -> list[dict]:
    """Named ballots: region, voter, choice, weight, by proxy. Empty for secret ballots."""
    if ballot.is_secret:
        return []
    votes = (
        Vote.objects.filter(ballot=ballot, withdrawn=False)
        .select_related("elector__user", "region", "choice")
        .order_by("region__name", "elector__user__full_name", "choice__order")
    )
    return [
        {
            "region": v.region.name,
            "voter": v.elector.user.get_full_name(),
            "choice": v.choice.label,
            "weight": v.weight,
            "by_proxy": v.cast_by_proxy,
        }
        for v in votes
    ]


def export_data(ballot: Ballot) -> dict:
    summary = ballot.final_result or result_summary(ballot)
    return {
        "ballot": ballot.pk,
        "question": ballot.question,
        "status": ballot.status,
        "electorate_kind": ballot.electorate,
        "secrecy": ballot.secrecy,
        "opens_at": ballot.opens_at.isoformat(),
        "closes_at": ballot.closes_at.isoformat(),
        "electorate": summary["electorate"],
        "turnout": summary["turnout"],
        "choices": [
            {"label": c["label"], "votes": c["votes"], "weight": c["weight"]}
            for c in summary["choices"]
        ],
        "regions": summary["regions"],
        "outcome": summary["outcome"],
        "roll_call": roll_call(ballot),
        "ledger_head": ballot.final_seal or ledger.head(ballot)[1],
    }


def as_json(ballot: Ballot) -> bytes:
    return json.dumps(export_data(ballot), ensure_ascii=False, indent=2).encode("utf-8")


def _table_rows(data: dict) -> list[list]:
    labels = [c["label"] for c in data["choices"]]
    rows = [
        ["Stemming", data["question"]],
        ["Status", data["status"]],
        ["Kiesgerechtigden", data["electorate"]["count"], "gewicht", data["electorate"]["weight"]],
        ["Opkomst", data["turnout"]["count"], "gewicht", data["turnout"]["weight"]],
        ["Uitslag", data["outcome"]["result"], data["outcome"]["explanation"]],
        ["Grootboekkop", data["ledger_head"]],
        [],
        ["Keuze", "Stemmen", "Gewicht"],
    ]
    rows += [[c["label"], c["votes"], c["weight"]] for c in data["choices"]]
    rows += [[], ["Regio", *labels]]
    rows += [
        [region, *[weights.get(label, 0) for label in labels]]
        for region, weights in data["regions"].items()
    ]
    if data["roll_call"]:
        rows += [[], ["Regio", "Kiezer", "Keuze", "Gewicht", "Bij volmacht"]]
        rows += [
            [r["region"], r["voter"], r["choice"], r["weight"], "ja" if r["by_proxy"] else ""]
            for r in data["roll_call"]
        ]
    return rows


def as_csv(ballot: Ballot) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")  # Dutch Excel opens semicolon files directly
    writer.writerows(_table_rows(export_data(ballot)))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(ballot: Ballot) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Uitslag"
    for row in _table_rows(export_data(ballot)):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


class NoSignedDocument(Exception):
    pass


def as_pdf(ballot: Ballot) -> bytes:
    """The stored signed proces-verbaal, byte for byte (never a new rendering)."""
    from ballots.models import ResultDocument

    stored = ResultDocument.objects.filter(ballot=ballot).first()
    if stored is None:
        raise NoSignedDocument(
            f"stemming {ballot.pk} is nog niet vastgesteld: er is geen ondertekend proces-verbaal"
        )
    return bytes(stored.pdf)


def export(ballot: Ballot, fmt: str) -> bytes:
    return {"json": as_json, "csv": as_csv, "xlsx": as_xlsx, "pdf": as_pdf}[fmt](ballot)
