from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ballots.document_check import check_document


class Command(BaseCommand):
    help = "Controleer of een PDF een echt, ongewijzigd proces-verbaal van Ledenstem is."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: kan het bestand niet lezen ({exc.strerror})") from exc
        result = check_document(data)
        if not result.authentic:
            raise CommandError(f"{file}: NIET echt: {result.reason}")
        stored = result.stored
        self.stdout.write(
            self.style.SUCCESS(
                f"{file}: echt proces-verbaal van {stored.kind.lower()} {stored.number} "
                f"({stored.title}), "
                f"ondertekend {stored.signed_at:%Y-%m-%d %H:%M}, zegel {stored.seal}"
            )
        )
