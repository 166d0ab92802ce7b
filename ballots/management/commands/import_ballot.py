from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ballots.definitions import DefinitionError, load
from ballots.drafts import create_draft


class Command(BaseCommand):
    help = (
        "Maak een concept-stemming uit een JSON-definitie (van export_ballot of een sjabloon). "
        "Alles of niets: bij een fout wordt niets aangemaakt en elke fout genoemd."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="alleen controleren, niets aanmaken"
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file}: kan niet lezen ({exc})") from exc
        try:
            checked = load(text)
        except DefinitionError as bad:
            for problem in bad.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(
                f"{len(bad.problems)} fout(en) in {file}; er is niets aangemaakt."
            ) from bad
        if dry_run:
            self.stdout.write(f"{file}: in orde (--dry-run: niets aangemaakt).")
            return
        ballot = create_draft(checked)
        self.stdout.write(
            f"Concept aangemaakt: stemming {ballot.pk} ({ballot.question}). "
            "Zet de data in de werkruimte: /stemmingen/werkruimte/"
        )
