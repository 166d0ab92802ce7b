"""Demo register: regions, a few hundred members, ambassadors and board, all made up.

Built as a register CSV and loaded through the real import, so the demo exercises the same
path as the association's own file and stays idempotent the same way.
"""

import csv
import io
import random

from allauth.account.models import EmailAddress
from django.db import transaction

from members.models import Region, User
from members.register_import import ImportPlan, apply_register_import

DEMO_PASSWORD = "stem-demo-2026"
DEMO_DOMAIN = "ledenstem.test"

REGIONS = [
    ("groningen", "Groningen"),
    ("friesland", "Friesland"),
    ("drenthe", "Drenthe"),
    ("overijssel", "Overijssel"),
    ("flevoland", "Flevoland"),
    ("gelderland-noord", "Gelderland-Noord"),
    ("gelderland-zuid", "Gelderland-Zuid"),
    ("utrecht-stad", "Utrecht-Stad"),
    ("utrecht-provincie", "Utrecht-Provincie"),
    ("noord-holland-noord", "Noord-Holland-Noord"),
    ("amsterdam", "Amsterdam"),
    ("zaanstreek-waterland", "Zaanstreek-Waterland"),
    ("haaglanden", "Haaglanden"),
    ("rijnmond", "Rijnmond"),
    ("zuid-holland-zuid", "Zuid-Holland-Zuid"),
    ("zeeland", "Zeeland"),
    ("west-brabant", "West-Brabant"),
    ("oost-brabant", "Oost-Brabant"),
    ("limburg", "Limburg"),
]

FIRST_NAMES = [
    "Anouk",
    "Bram",
    "Charlotte",
    "Daan",
    "Eline",
    "Floor",
    "Gijs",
    "Hanna",
    "Iris",
    "Jeroen",
    "Karin",
    "Lars",
    "Maaike",
    "Niels",
    "Olga",
    "Pieter",
    "Roos",
    "Sander",
    "Tessa",
    "Ubbo",
    "Vera",
    "Willem",
    "Yvonne",
    "Zeger",
    "Femke",
    "Thijs",
    "Sanne",
    "Joost",
    "Lotte",
    "Marleen",
    "Ruud",
    "Esther",
    "Koen",
    "Ilse",
    "Hidde",
    "Noor",
    "Bas",
    "Mirjam",
    "Wouter",
    "Fleur",
]
LAST_NAMES = [
    "de Vries",
    "Jansen",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van Dijk",
    "Schouten",
    "Hoekstra",
    "van Beek",
    "Postma",
    "Kuipers",
    "Veenstra",
    "Huisman",
    "Wijnands",
    "Lammers",
    "Koster",
    "Prins",
    "Zijlstra",
    "Timmermans",
]

BOARD = [("B-0001", "Margriet Hoogeveen", "voorzitter"), ("B-0002", "Tom Ekkel", "secretaris")]
ALL_MEMBER_EMAIL = f"lid@{DEMO_DOMAIN}"


def demo_register_csv(members_per_region: int = 16, seed: int = 2026) -> bytes:
    """The demo register as CSV bytes (semicolons, as Dutch Excel would write it)."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["membership_number", "name", "email", "region", "role", "weight"])
    number = 10000
    for code, _name in REGIONS:
        for index in range(members_per_region):
            number += 1
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            if index == 0:
                role, email = "ambassador", f"ambassadeur.{code}@{DEMO_DOMAIN}"
            elif index == 1:
                role, email = "deputy", f"plaatsvervanger.{code}@{DEMO_DOMAIN}"
            elif code == "utrecht-stad" and index == 2:
                role, email = "member", ALL_MEMBER_EMAIL
            else:
                role, email = "member", f"lid{number}@{DEMO_DOMAIN}"
            writer.writerow([f"L-{number}", name, email, code, role, ""])
    for membership_number, name, title in BOARD:
        writer.writerow(
            [membership_number, name, f"{title}@{DEMO_DOMAIN}", "utrecht-stad", "board", ""]
        )
    return out.getvalue().encode("utf-8")


def demo_accounts() -> list[str]:
    accounts = [f"{title}@{DEMO_DOMAIN}" for _n, _name, title in BOARD]
    accounts.append(ALL_MEMBER_EMAIL)
    accounts.append(f"ambassadeur.utrecht-stad@{DEMO_DOMAIN}")
    return accounts


@transaction.atomic
def load_demo_register() -> ImportPlan:
    for code, name in REGIONS:
        Region.objects.get_or_create(code=code, defaults={"name": name})
    plan = apply_register_import(demo_register_csv())
    # The printed demo accounts get a known password and a verified address, so they can log
    # in at once; everyone else activates by emailed code, as real members do.
    for email in demo_accounts():
        user = User.objects.get(email=email)
        if not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.filter(user=user, email=email).update(verified=True, primary=True)
    return plan
