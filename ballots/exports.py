"""Results as JSON, CSV and XLSX: per choice, per region, outcome, turnout, and the roll call
of named ballots. Never a voter's identity for a secret ballot.

Exports exist only after closing: while a ballot is open its tally may be hidden by the
visibility rule, and a named ballot's roll call would say who voted what before the end.
Spreadsheet cells hold text that members supplied (names from the register, choice labels),
so every text cell is neutralised against formula injection.
"""

import csv
import io
import json

from django.utils.translation import gettext as _

from ballots import ledger
from ballots.errors import BallotError
from ballots.models import Ballot, BallotStatus, Participation, Vote
from ballots.tally import result_summary

FORMATS = ("json", "csv", "xlsx", "pdf")
HALL = "in de zaal (op papier of bij handopsteken)"
EXPORTABLE = (BallotStatus.CLOSED, BallotStatus.CERTIFIED)


class ExportRefused(BallotError):
    """There is no such export (yet); the message says why."""


class NoSignedDocument(ExportRefused):
    pass


def check_exportable(ballot: Ballot) -> None:
    if ballot.status not in EXPORTABLE:
        raise ExportRefused(
            _(
                "De uitslag van stemming %(ballot)s kan pas na de sluiting worden geëxporteerd "
                "(status: %(status)s)."
            )
            % {"ballot": ballot.pk, "status": ballot.get_status_display()}
        )
    if not ballot.is_counted:
        raise ExportRefused(
            _(
                "Stemming %(ballot)s is gesloten, maar de stemmen worden nog geteld; exporteer de "
                "uitslag als de telling klaar is."
            )
            % {"ballot": ballot.pk}
        )


# OWASP (CSV injection): a cell starting with one of these is, or becomes, a formula in Excel,
# LibreOffice or Google Sheets; a leading newline and the full-width forms, which some
# spreadsheet locales read as their ASCII counterparts, are treated the same way.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_text(value):
    """A text cell as a spreadsheet program shows it but never evaluates it: a single quote
    before a dangerous first character. Numbers and empty cells are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def roll_call(ballot: Ballot) -> list[dict]:
    """Named ballots: region, voter, choice, weight, by proxy. Empty for secret ballots."""
    if ballot.is_secret:
        return []
    votes = (
        Vote.objects.filter(ballot=ballot, withdrawn=False)
        .select_related("elector__user", "region", "choice")
        .order_by("region__name", "elector__user__full_name", "choice__order")
    )
    rows = [
        {
            "region": v.region.name,
            "voter": v.elector.user.get_full_name(),
            "choice": v.choice.label,
            "weight": v.weight,
            "by_proxy": v.cast_by_proxy,
        }
        for v in votes
    ]
    # Counted in the hall (ballots.paper): who, not what; their choices are in the count.
    in_hall = Participation.objects.filter(ballot=ballot, on_paper=True).select_related(
        "elector__user", "elector__region"
    )
    hall = [
        {
            "region": p.elector.region.name,
            "voter": p.elector.user.get_full_name(),
            "choice": HALL,
            "weight": p.elector.weight,
            "by_proxy": False,
        }
        for p in in_hall
    ]
    if not hall:
        return rows
    return sorted(rows + hall, key=lambda row: (row["region"], row["voter"]))


def export_data(ballot: Ballot) -> dict:
    check_exportable(ballot)
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
        # Named ballots per region; secret ones per reporting group, or not at all (why: note)
        "regions": summary["regions"],
        "breakdown": summary.get("breakdown", {"by": "region", "note": ""}),
        "outcome": summary["outcome"],
        # Kinds other than a proposal: method, winners, rounds, lot seed (ballots.kinds)
        "kind": ballot.kind,
        "decision": summary.get("decision"),
        # Counted in the hall, already in `choices`, shown apart (ballots.paper)
        "paper_votes": summary.get("paper_votes", []),
        "roll_call": roll_call(ballot),
        "ledger_head": ballot.final_seal or ledger.head(ballot)[1],
    }


def as_json(ballot: Ballot) -> bytes:
    return json.dumps(export_data(ballot), ensure_ascii=False, indent=2).encode("utf-8")


# The spreadsheets are read by people: Dutch words, not the codes JSON keeps (issue #16).
RESULT_WORDS = {
    "adopted": "aangenomen",
    "rejected": "verworpen",
    "tie": "staken der stemmen",
    "no_quorum": "geen quorum",
    "decided": "besloten",
    "runoff": "tweede ronde nodig",
    "no_votes": "geen geldige stemmen",
}


def _table_rows(data: dict) -> list[list]:
    from ballots.models import BallotStatus

    labels = [c["label"] for c in data["choices"]]
    result = data["outcome"]["result"]
    rows = [
        ["Stemming", data["question"]],
        ["Status", str(BallotStatus(data["status"]).label)],
        ["Kiesgerechtigden", data["electorate"]["count"], "gewicht", data["electorate"]["weight"]],
        ["Opkomst", data["turnout"]["count"], "gewicht", data["turnout"]["weight"]],
        ["Uitslag", RESULT_WORDS.get(result, result), data["outcome"]["explanation"]],
        *(
            [["Gekozen", ", ".join(data["decision"]["winners"])]]
            if data.get("decision") and data["decision"].get("winners")
            else []
        ),
        ["Grootboekkop", data["ledger_head"]],
        [],
        ["Keuze", "Stemmen", "Gewicht"],
    ]
    rows += [[c["label"], c["votes"], c["weight"]] for c in data["choices"]]
    if data["paper_votes"]:
        rows += [[], ["Waarvan in de zaal geteld", "Stemmen", "Gewicht"]]
        rows += [[p["label"], p["votes"], p["weight"]] for p in data["paper_votes"]]
    breakdown = data["breakdown"]
    heading = "Groep van regio's" if breakdown["by"] == "group" else "Regio"
    rows += [[], [heading, *labels]] if data["regions"] else [[], [breakdown["note"]]]
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


def _spreadsheet_rows(ballot: Ballot) -> list[list]:
    return [[spreadsheet_text(cell) for cell in row] for row in _table_rows(export_data(ballot))]


def as_csv(ballot: Ballot) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")  # Dutch Excel opens semicolon files directly
    writer.writerows(_spreadsheet_rows(ballot))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(ballot: Ballot) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Uitslag"
    for row in _spreadsheet_rows(ballot):
        sheet.append(row)
        # openpyxl makes any string starting with "=" a formula; a text cell is a string.
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def as_pdf(ballot: Ballot) -> bytes:
    """The stored signed proces-verbaal, byte for byte (never a new rendering)."""
    from ballots.models import ResultDocument

    stored = ResultDocument.objects.filter(ballot=ballot).first()
    if stored is None:
        raise NoSignedDocument(
            _(
                "Stemming %(ballot)s is nog niet vastgesteld: er is nog geen ondertekend "
                "proces-verbaal."
            )
            % {"ballot": ballot.pk}
        )
    return bytes(stored.pdf)


def export(ballot: Ballot, fmt: str) -> bytes:
    """Raises ExportRefused (with the reason) when the ballot has no such export."""
    check_exportable(ballot)
    return {"json": as_json, "csv": as_csv, "xlsx": as_xlsx, "pdf": as_pdf}[fmt](ballot)
