from django.core.management.base import BaseCommand

from ballots.demo import load_demo_ballots
from faq.demo import load_demo_faq
from meetings.demo import load_demo_meetings
from members.demo import DEMO_PASSWORD, demo_accounts, load_demo_register


class Command(BaseCommand):
    help = (
        "Laad demogegevens: regio's, leden, ambassadeurs, bestuur, FAQ, standpunten, "
        "stemmingen en vergaderingen (idempotent). Het commando staat bij de vergaderingen, de "
        "bovenste app: zij mag alle andere gebruiken."
    )

    def handle(self, *args, **options):
        plan = load_demo_register()
        faq_created = load_demo_faq()
        ballots_created = load_demo_ballots()
        meetings_created = load_demo_meetings()
        self.stdout.write(
            f"Ledenregister: {plan.summary()}; FAQ: {faq_created} nieuwe vragen en standpunten; "
            f"{ballots_created} nieuwe stemmingen; {meetings_created} nieuwe vergaderingen."
        )
        self.stdout.write("")
        self.stdout.write(f"Demo-accounts (wachtwoord voor alle: {DEMO_PASSWORD}):")
        for email in demo_accounts():
            self.stdout.write(f"  {email}")
        self.stdout.write(
            "Bestuur en ambassadeurs stellen bij de eerste keer inloggen een tweede factor in "
            "(authenticator-app of passkey). Andere leden loggen in met een code per e-mail; "
            "die verschijnt in deze console."
        )
