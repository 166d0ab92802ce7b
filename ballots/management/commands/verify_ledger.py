from django.core.management.base import BaseCommand, CommandError

from ballots.models import Ballot
from ballots.verification import verify_ballot


class Command(BaseCommand):
    help = "Controleer de hashketen, de stemmen en de telling van een stemming tegen het grootboek."

    def add_arguments(self, parser):
        parser.add_argument("ballot", type=int, help="het nummer (id) van de stemming")

    def handle(self, *args, ballot: int, **options):
        found = Ballot.objects.filter(pk=ballot).first()
        if found is None:
            raise CommandError(f"stemming {ballot} bestaat niet")
        report = verify_ballot(found)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(f"stemming {ballot}: {problem}")
            raise CommandError(
                f"stemming {ballot}: grootboek NIET in orde (eerste fout: {report.problems[0]})"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"stemming {ballot}: grootboek in orde, {report.entries} regels, kop {report.head}"
            )
        )
