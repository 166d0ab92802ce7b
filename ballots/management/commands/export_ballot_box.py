from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ballots import ballot_box
from ballots.exports import ExportRefused
from ballots.models import Ballot


class Command(BaseCommand):
    help = (
        "Schrijf de stembus van een getelde stemming (docs/ballot-box.md): elke getelde stem, "
        "het electoraat, het stemregister en de uitslag, na te rekenen met ledenstem-verify."
    )

    def add_arguments(self, parser):
        parser.add_argument("ballot", type=int)
        parser.add_argument("-o", "--output", type=Path, required=True, help="het JSON-bestand")

    def handle(self, *args, ballot: int, output: Path, **options):
        found = Ballot.objects.filter(pk=ballot).first()
        if found is None:
            raise CommandError(f"stemming {ballot} bestaat niet")
        try:
            data = ballot_box.published(found)
        except ExportRefused as refused:  # not closed, or still being counted
            raise CommandError(str(refused)) from refused
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"{output}: kan niet schrijven ({exc.strerror})") from exc
        self.stderr.write(f"{output}: {len(data)} bytes")
