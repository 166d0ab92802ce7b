import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ballots.definitions import dumps, to_dict
from ballots.models import Ballot


class Command(BaseCommand):
    help = (
        "Schrijf de definitie van een stemming als JSON (alles behalve data, electoraat en "
        "stemmen); import_ballot maakt er een concept van."
    )

    def add_arguments(self, parser):
        parser.add_argument("ballot", type=int)
        parser.add_argument("-o", "--output", type=Path, help="bestand (standaard: stdout)")

    def handle(self, *args, ballot: int, output: Path | None, **options):
        found = Ballot.objects.filter(pk=ballot).first()
        if found is None:
            raise CommandError(f"stemming {ballot} bestaat niet")
        text = dumps(to_dict(found))
        if output is None:
            sys.stdout.write(text)
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{output}: kan niet schrijven ({exc.strerror})") from exc
        self.stderr.write(f"{output}: definitie van stemming {found.pk} geschreven")
