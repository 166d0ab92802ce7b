import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from meetings.models import Meeting
from meetings.record import record_data, record_sha256


class Command(BaseCommand):
    help = (
        "Schrijf het proces-verbaal van een vergadering: pdf = het opgeslagen, ondertekende "
        "document, byte voor byte; json = de gegevens van het verslag."
    )

    def add_arguments(self, parser):
        parser.add_argument("meeting", type=int)
        parser.add_argument("--format", dest="fmt", choices=("pdf", "json"), default="pdf")
        parser.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args, meeting: int, fmt: str, output: Path, **options):
        found = Meeting.objects.filter(pk=meeting).first()
        if found is None:
            raise CommandError(f"vergadering {meeting} bestaat niet")
        document = getattr(found, "document", None)
        if fmt == "pdf":
            if document is None:
                raise CommandError(
                    f"het verslag van vergadering {meeting} is nog niet vastgesteld en "
                    "ondertekend (twee bestuursleden keuren het goed na afloop)"
                )
            data = bytes(document.pdf)
        else:
            record = record_data(found)
            record = {
                "record": record,
                "record_sha256": record_sha256(record),
                "document_sha256": document.sha256 if document else None,
            }
            data = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"{output}: kan niet schrijven ({exc.strerror})") from exc
        self.stderr.write(f"{output}: {len(data)} bytes")
