import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ballots.exports import FORMATS, ExportRefused, export
from ballots.models import Ballot


class Command(BaseCommand):
    help = "Exporteer de uitslag van een stemming als JSON, CSV of XLSX."

    def add_arguments(self, parser):
        parser.add_argument("ballot", type=int)
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="json")
        parser.add_argument("-o", "--output", type=Path, help="bestand (standaard: stdout)")

    def handle(self, *args, ballot: int, fmt: str, output: Path | None, **options):
        found = Ballot.objects.filter(pk=ballot).first()
        if found is None:
            raise CommandError(f"stemming {ballot} bestaat niet")
        if fmt in ("xlsx", "pdf") and output is None:
            raise CommandError(f"{fmt.upper()} is binair: geef een bestand op met -o")
        try:
            data = export(found, fmt)
        except ExportRefused as refused:  # not closed yet, or (PDF) not certified yet
            raise CommandError(str(refused)) from refused
        if output is None:
            sys.stdout.buffer.write(data)
            return
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"{output}: kan niet schrijven ({exc.strerror})") from exc
        self.stderr.write(f"{output}: {len(data)} bytes")
