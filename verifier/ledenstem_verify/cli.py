"""ledenstem-verify FILE [--receipt CODE] [--certificate PEM]

FILE is a ballot box (JSON) or a signed proces-verbaal (PDF, with the box inside). Exit 0
only when everything holds; otherwise the first discrepancy is named and the exit status is
1 (2: the file cannot be read at all).
"""

import argparse
import json
import logging
import sys
from pathlib import Path

from ledenstem_verify import __version__
from ledenstem_verify import box as box_format
from ledenstem_verify.receipts import receipt_hash
from ledenstem_verify.recount import check_box, recount

OK, FAILED, UNREADABLE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ledenstem-verify",
        description="Recount a Ledenstem ballot box and check a signed proces-verbaal.",
    )
    parser.add_argument("file", type=Path, help="stembus.json or the signed PDF")
    parser.add_argument("--receipt", help="your receipt code: is your vote in the box?")
    parser.add_argument(
        "--certificate", type=Path, help="the association's certificate (PEM or DER) to trust"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    args = parser.parse_args(argv)
    # pyHanko logs a self-signed or unknown signer as a traceback; the report says it better.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).addHandler(logging.NullHandler())
        logging.getLogger(name).propagate = False
    try:
        data = args.file.read_bytes()
        certificate = args.certificate.read_bytes() if args.certificate else None
    except OSError as error:
        print(f"cannot read: {error}", file=sys.stderr)
        return UNREADABLE
    out = Report()
    if data.startswith(b"%PDF"):
        box = _check_document(data, certificate, out)
    else:
        box = _load_box(data, out)
    if box is None:
        return out.finish()
    _check(box, out)
    if args.receipt is not None:
        _find_receipt(box, args.receipt, out)
    return out.finish()


class Report:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.unreadable = False

    def fact(self, text: str) -> None:
        print(f"  {text}")

    def ok(self, text: str) -> None:
        print(f"OK    {text}")

    def fail(self, problems: list[str]) -> None:
        for problem in problems:
            print(f"FOUT  {problem}")
        self.problems += problems

    def finish(self) -> int:
        if self.unreadable:
            return UNREADABLE
        if self.problems:
            print(f"\nNIET IN ORDE: {self.problems[0]}")
            return FAILED
        print("\nIN ORDE: alles klopt.")
        return OK


def _load_box(data: bytes, out: Report) -> dict | None:
    try:
        box = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        out.fail([f"the file is neither a PDF nor a ballot box (JSON): {error}"])
        out.unreadable = True
        return None
    if not isinstance(box, dict):
        out.fail(["the file is not a ballot box"])
        out.unreadable = True
        return None
    return box


def _check_document(data: bytes, certificate: bytes | None, out: Report) -> dict | None:
    from ledenstem_verify import document

    try:
        reader = document.read_reader(data)
        signature = document.check_signature(reader, certificate)
        files = document.embedded_files(reader)
    except Exception as error:  # a damaged PDF can fail anywhere in the reader
        out.fail([f"the PDF cannot be read: {type(error).__name__}: {error}"])
        out.unreadable = True
        return None
    if signature.signer:
        out.fact(f"ondertekend door: {signature.signer}")
        out.fact(f"certificaat (SHA-256): {signature.fingerprint}")
    if signature.problems:
        out.fail(signature.problems)
        return None
    out.ok("handtekening intact en over het hele bestand")
    if signature.trusted is None:
        out.fact("vergelijk de vingerafdruk van het certificaat met die van de vereniging,")
        out.fact("of geef het certificaat mee met --certificate")
    if box_format.EMBEDDED_NAME not in files:
        out.fail([f"document: no ballot box ({box_format.EMBEDDED_NAME}) is attached"])
        return None
    box = _load_box(files[box_format.EMBEDDED_NAME], out)
    if box is None:
        return None
    problems = check_box(box)
    if problems:
        out.fail(problems[:1])
        return None
    found = document.check_printed(reader, box, recount(box))
    if found:
        out.fail(found)
        return None
    out.ok("elk cijfer in het document is gelijk aan de hertelling van de bijgevoegde stembus")
    return box


def _check(box: dict, out: Report) -> None:
    problems = check_box(box)
    if problems:
        out.fail(problems[:1])
        return
    ballot, result = box["ballot"], box["result"]
    out.fact(f"stemming {ballot['id']}: {ballot['question']}")
    out.fact(
        f"{len(box['votes'])} getelde stemmen, {len(box['ledger'])} regels in het stemregister"
    )
    out.ok(f"stemregister: de keten klopt tot het eindzegel {box['final_seal']}")
    out.ok("elke stem staat in het stemregister en past bij het electoraat")
    out.ok(f"hertelling gelijk aan de uitslag: {result['outcome']['explanation']}")
    out.fact(f"vingerafdruk van de stembus (SHA-256): {box_format.box_sha256(box)}")
    certified = box.get(box_format.AFTER_SIGNING)
    if certified:
        out.fact(f"proces-verbaal (SHA-256): {certified['sha256']}")


def _find_receipt(box: dict, code: str, out: Report) -> None:
    digest = receipt_hash(box["ballot"]["id"], code)
    position = box_format.find_receipt(box, digest)
    if position is None:
        out.fail([f"receipt: {code} is not among the counted votes of this box"])
        return
    out.ok(
        f"uw stem (bewijs {code}) staat in de stembus: stem {position}, "
        f"regel {box_format.vote_line(position)} van stembus.json"
    )


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
