"""The signed proces-verbaal: its signature, the ballot box inside it, and its printed figures.

The signature must be intact, cryptographically valid and cover the whole file (nothing
appended after signing); the box is the embedded file stembus.json; the figures the document
prints (turnout, the result table, the decision sentences, the breakdown, the final seal and
the box's fingerprint) must be the ones a recount of that box gives (ledenstem_verify.printed
makes them, for the server's template and for this check alike).
"""

import asyncio
import hashlib
import io
import re
from dataclasses import dataclass, field
from fractions import Fraction

from ledenstem_verify import box as box_format
from ledenstem_verify import printed
from ledenstem_verify.pdftext import normalised, text_runs
from ledenstem_verify.rules import Rules


@dataclass
class SignatureFacts:
    signer: str = ""
    fingerprint: str = ""  # SHA-256 of the signer's certificate (DER), hex
    trusted: bool | None = None  # None: no certificate was given to trust
    problems: list[str] = field(default_factory=list)


def read_reader(data: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(data), strict=False)


def check_signature(reader, trusted_certificate: bytes | None = None) -> SignatureFacts:
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    facts = SignatureFacts()
    signatures = reader.embedded_signatures
    if not signatures:
        facts.problems.append("signature: the PDF is not signed")
        return facts
    roots = []
    if trusted_certificate is not None:
        from asn1crypto import pem, x509

        der = (
            pem.unarmor(trusted_certificate)[2]
            if pem.detect(trusted_certificate)
            else trusted_certificate
        )
        roots.append(x509.Certificate.load(der))
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = asyncio.run(async_validate_pdf_signature(signatures[-1], context, skip_diff=True))
    except Exception as error:  # pyHanko raises many kinds for a damaged signature
        facts.problems.append(
            f"signature: it cannot be validated ({type(error).__name__}: {error})"
        )
        return facts
    certificate = status.signing_cert
    facts.signer = certificate.subject.human_friendly
    facts.fingerprint = hashlib.sha256(certificate.dump()).hexdigest()
    if not status.intact or not status.valid:
        facts.problems.append("signature: the document was changed after signing")
    elif status.coverage is None or status.coverage.name != "ENTIRE_FILE":
        facts.problems.append(
            "signature: it does not cover the whole file (something was added after signing)"
        )
    if trusted_certificate is not None:
        facts.trusted = bool(status.trusted)
        if not status.trusted:
            facts.problems.append("signature: not made with the certificate given (--certificate)")
    return facts


def embedded_files(reader) -> dict[str, bytes]:
    """The embedded files of the document catalogue's name tree, by file name."""
    root = reader.root
    if "/Names" not in root or "/EmbeddedFiles" not in root["/Names"]:
        return {}
    files: dict[str, bytes] = {}

    def walk(node) -> None:
        if "/Names" in node:
            names = node["/Names"]
            for i in range(0, len(names) - 1, 2):
                spec = names[i + 1].get_object()
                name = str(spec["/UF"] if "/UF" in spec else spec.get("/F", names[i]))
                if "/EF" in spec and "/F" in spec["/EF"]:
                    files[name] = spec["/EF"]["/F"].get_object().data
        for kid in node["/Kids"] if "/Kids" in node else []:  # noqa: SIM401 (resolves refs)
            walk(kid.get_object())

    walk(root["/Names"]["/EmbeddedFiles"])
    return files


def _pattern(text: str) -> str:
    """A printed text as a pattern: white space may be missing or added where a line wraps or
    a run ends, but words (cells) stay apart."""
    words = text.split()
    return r"\s+".join(r"\s?".join(re.escape(char) for char in word) for word in words)


def _electorate_by_name(box: dict) -> dict[str, tuple[int, int]]:
    electorate = box["electorate"]
    if box["ballot"]["secrecy"] == "secret":
        return {g["name"]: (g["electors"], g["weight"]) for g in electorate["groups"]}
    names = electorate["regions"]
    by_name: dict[str, tuple[int, int]] = {}
    for elector in electorate["by_elector"]:
        name = names[str(elector["region"])]
        count, weight = by_name.get(name, (0, 0))
        by_name[name] = (count + 1, weight + elector["weight"])
    return by_name


def expected_figures(box: dict, summary: dict) -> list[tuple[str, str]]:
    """(what, text) for every figure the document prints, in the order it prints them."""
    ballot = box["ballot"]
    weighted = ballot["electorate"] == "ambassadors"
    secret = ballot["secrecy"] == "secret"
    decided = None
    if ballot["kind"] == "proposal":
        quorum = (
            None if ballot["quorum_percent"] is None else Fraction(ballot["quorum_percent"]) / 100
        )
        decided = printed.proposal_outcome(
            summary, Rules(ballot["majority"], ballot["base"], quorum)
        )
    figures = [("the turnout", printed.turnout_line(summary, weighted=weighted))]
    figures.append(
        ("the result table's header", " ".join(printed.result_header(weighted=weighted)))
    )
    for row in printed.result_table(summary, weighted=weighted, decided=decided):
        figures.append(
            (f"the result row {row['cells'][0]!r}", " ".join(c for c in row["cells"] if c))
        )
    if paper := printed.paper_line(summary, weighted=weighted):
        figures.append(("the votes counted in the hall", paper))
    if decided is not None:
        figures.append(("the quorum sentence", printed.quorum_sentence(decided, weighted=weighted)))
        figures.append(
            ("the majority sentence", printed.majority_sentence(decided, weighted=weighted))
        )
    figures.append(("the decision", summary["outcome"]["explanation"]))
    regions = printed.region_table(
        summary, _electorate_by_name(box), secret=secret, weighted=weighted
    )
    for row in regions:
        figures.append((f"the breakdown row {row['cells'][0]!r}", " ".join(row["cells"])))
    figures.append(("the final seal", box["final_seal"]))
    figures.append(("the ballot box's fingerprint", box_format.box_sha256(box)))
    return figures


def check_printed(reader, box: dict, summary: dict) -> list[str]:
    """Every expected figure, in order, in the document's text; the first missing is named."""
    text = normalised(text_runs(reader))
    position = 0
    for what, figure in expected_figures(box, summary):
        found = re.compile(_pattern(figure)).search(text, position)
        if found is None:
            return [f"document: {what} does not print what the recount gives: expected {figure!r}"]
        position = found.end()
    return []
