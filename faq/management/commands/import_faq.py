import json
from dataclasses import asdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from faq.faq_import import DEFAULT_TOPIC, FaqImportRejected, import_faq, parse_faq_file


class Command(BaseCommand):
    help = (
        "Importeer de FAQ uit het tekstformaat van de vereniging (inhoudsopgave met labels, "
        "daarna de antwoorden met voetnoten). Maakt of wijzigt vragen per label."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--topic", default=DEFAULT_TOPIC, help="onderwerp voor de vragen")
        parser.add_argument("--dry-run", action="store_true", help="niets opslaan")
        parser.add_argument(
            "--json", action="store_true", help="druk het resultaat af als JSON-lijst"
        )

    def handle(self, *args, file: Path, topic: str, dry_run: bool, json: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: kan het bestand niet lezen ({exc.strerror})") from exc
        try:
            parsed = parse_faq_file(data)
            report = import_faq(parsed, topic_name=topic, dry_run=dry_run)
        except FaqImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(f"{file}: {problem}")
            count = len(rejected.problems)
            raise CommandError(f"{file}: niets geïmporteerd ({count} fout(en)).") from None
        if json:
            items = [asdict(question) for question in parsed.questions]
            self.stdout.write(_dumps(items))
            return
        verb = "zou importeren" if dry_run else "geïmporteerd"
        self.stdout.write(self.style.SUCCESS(f"{file}: {verb}: {report.summary()}"))


def _dumps(items) -> str:
    return json.dumps(items, ensure_ascii=False, indent=2)
