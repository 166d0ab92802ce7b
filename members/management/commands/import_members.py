from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from members.register_import import (
    RegisterImportRejected,
    apply_register_import,
    plan_register_import,
)


class Command(BaseCommand):
    help = (
        "Importeer het ledenregister uit een CSV-bestand (membership_number,name,email,region,"
        "role,weight). Alles of niets: met één foute regel wordt niets geïmporteerd."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="het CSV-bestand")
        parser.add_argument(
            "--dry-run", action="store_true", help="laat alleen zien wat er zou veranderen"
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: kan het bestand niet lezen ({exc.strerror})") from exc
        if dry_run:
            plan = plan_register_import(data)
        else:
            try:
                plan = apply_register_import(data)
            except RegisterImportRejected as rejected:
                plan = rejected.plan
        for planned in plan.creates:
            self.stdout.write(
                f"nieuw      regel {planned.row.line}: {planned.row.membership_number} "
                f"{planned.row.name} <{planned.row.email}>"
            )
        for planned in plan.updates:
            self.stdout.write(
                f"gewijzigd  regel {planned.row.line}: {planned.row.membership_number} "
                + "; ".join(planned.changes)
            )
        if not plan.ok:
            for error in plan.errors:
                self.stderr.write(f"{file}: {error}")
            count = len(plan.errors)
            lines = "1 foute regel" if count == 1 else f"{count} foute regels"
            raise CommandError(f"{file}: niets geïmporteerd, {lines}.")
        verb = "zou importeren" if dry_run else "geïmporteerd"
        self.stdout.write(self.style.SUCCESS(f"{file}: {verb}: {plan.summary()}"))
