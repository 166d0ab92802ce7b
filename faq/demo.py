"""Demo FAQ and position papers, written for the demo (not taken from any real document)."""

import datetime

from django.db import transaction

from faq.models import PositionPaper, Question, Stance, Status, Tag, Topic, Visibility

TOPICS = [
    ("het-akkoord", "Het akkoord"),
    ("geld-en-werk", "Geld en werk"),
    ("stemmen", "Stemmen en besluiten"),
]

# (topic slug, label, question, answer, footnotes, visibility)
QUESTIONS = [
    (
        "het-akkoord",
        "A",
        "Wat is het IZA in het kort?",
        "Een meerjarige afspraak tussen zorgaanbieders, verzekeraars, gemeenten en het ministerie "
        "over hoe de zorg betaalbaar en bereikbaar blijft.[^1] Voor de huisarts draait het om "
        "**tijd voor de patiënt**, om de financiering van de praktijk en om de taken die erbij "
        "komen.",
        ["Zie de tekst van het akkoord zoals die aan de leden is toegestuurd, hoofdstuk 1."],
        Visibility.PUBLIC,
    ),
    (
        "het-akkoord",
        "B",
        "Welke partijen hebben al getekend?",
        "De meeste landelijke koepels van aanbieders en verzekeraars tekenden in de eerste ronde. "
        "Een paar beroepsgroepen, waaronder de huisartsen, vroegen eerst om extra afspraken over "
        "hun eigen sector.[^1]",
        [
            "Overzicht van de ondertekenaars op de site van het ministerie, stand bij de start van "
            "de onderhandelingen."
        ],
        Visibility.PUBLIC,
    ),
    (
        "het-akkoord",
        "C",
        "Wat vraagt het akkoord concreet van huisartsen?",
        "Meer samenwerking in de wijk, een rol bij preventie en ouderenzorg en het delen van "
        "gegevens via regionale afspraken. Tegenstanders wijzen erop dat deze taken bovenop het "
        "bestaande werk komen;[^1] voorstanders zien er juist de kans in om de basiszorg steviger "
        "te organiseren.[^2]",
        [
            "Standpunt van de werkgroep tegen ondertekening, paragraaf 'extra taken'.",
            "Standpunt van het bestuur, paragraaf 'wat we ervoor terugkrijgen'.",
        ],
        Visibility.PUBLIC,
    ),
    (
        "geld-en-werk",
        "D",
        "Komt er echt meer geld naar de huisartsenzorg?",
        "Het akkoord noemt extra middelen voor de eerste lijn, maar een deel daarvan is "
        "voorwaardelijk: het komt pas vrij als regionale doelen zijn gehaald.[^1] Of het geld de "
        "praktijk bereikt, hangt af van de afspraken met de zorgverzekeraar in uw regio.",
        ["Financiële bijlage bij het akkoord, tabel met transformatiegelden."],
        Visibility.PUBLIC,
    ),
    (
        "geld-en-werk",
        "E",
        "Wat gebeurt er als we niet tekenen?",
        "Dan gelden de gewone jaarlijkse tariefafspraken. Het bestuur verwacht dat huisartsen dan "
        "minder invloed hebben op de verdeling van de extra middelen;[^1] de tegenstanders "
        "verwachten dat de sector onderhandelingsruimte juist behoudt.[^2]",
        [
            "Brief van het bestuur aan de leden over de gevolgen van niet tekenen.",
            "Reactie van de werkgroep op die brief.",
        ],
        Visibility.MEMBERS,
    ),
    (
        "geld-en-werk",
        "F",
        "Wordt de werkdruk lager of hoger?",
        "Dat is de kern van de discussie. Het akkoord belooft meer tijd per patiënt via kleinere "
        "praktijknormen, maar de uitwerking volgt later.[^1] Zolang die er niet is, blijft het "
        "een verwachting en geen afspraak.",
        ["Paragraaf over 'meer tijd voor de patiënt' in het onderhandelaarsakkoord."],
        Visibility.PUBLIC,
    ),
    (
        "stemmen",
        "G",
        "Wie beslist of de vereniging tekent?",
        "De algemene ledenvergadering. De ambassadeurs stemmen daar per regio met een gewicht "
        "dat past bij het aantal leden in hun regio.[^1] Vooraf kunnen alle leden hun mening "
        "geven in een raadpleging; die uitslag is een advies aan de ambassadeurs.",
        ["Statuten van de vereniging, artikel over de ledenvergadering en de ledenraadpleging."],
        Visibility.PUBLIC,
    ),
    (
        "stemmen",
        "H",
        "Kan iemand zien wat ik gestemd heb?",
        "Nee. Bij een geheime stemming wordt vastgelegd *dat* u stemde, los van *wat* u stemde. "
        "Met uw ontvangstcode controleert u na afloop dat uw stem is meegeteld.[^1]",
        ["Uitleg over de ontvangstcode op de pagina van elke stemming."],
        Visibility.PUBLIC,
    ),
    (
        "stemmen",
        "I",
        "Hoe weet ik hoe mijn regio heeft gestemd?",
        "Na een hoofdelijke stemming van de ambassadeurs staat per regio op de uitslagpagina wat "
        "de ambassadeur stemde en met welk gewicht. Zo kunt u uw ambassadeur aanspreken op de "
        "keuze.[^1]",
        ["Reglement van de ambassadeurs, artikel over verantwoording aan de regio."],
        Visibility.MEMBERS,
    ),
]

PAPERS = [
    {
        "slug": "tekenen-met-harde-voorwaarden",
        "title": "Tekenen, maar alleen met harde afspraken",
        "organisation": "Bestuur van de vereniging",
        "organisation_code": "bestuur",
        "stance": Stance.CONDITIONAL,
        "published_on": datetime.date(2026, 9, 12),
        "summary": "Het bestuur adviseert te tekenen als de afspraken over tijd voor de patiënt "
        "en over de financiering schriftelijk en afrekenbaar zijn vastgelegd.",
        "body": "## Wat we willen bereiken\n\nMeer tijd per patiënt, een praktijk die "
        "financieel gezond blijft en minder papierwerk.\n\n## Wat er nu ligt\n\n"
        "Het akkoord biedt extra geld en een stem in de regio, maar een deel is "
        "voorwaardelijk.\n\n## Onze voorwaarden\n\n1. Een vastgelegde normpraktijk.\n"
        "2. Structurele financiering, niet alleen projectgeld.\n"
        "3. Geen nieuwe taken zonder mensen en middelen.",
        "tags": ["financiering", "werkdruk"],
    },
    {
        "slug": "niet-tekenen-basiszorg-eerst",
        "title": "Niet tekenen: eerst de basiszorg op orde",
        "organisation": "Werkgroep Basiszorg Eerst",
        "organisation_code": "wbe",
        "stance": Stance.AGAINST,
        "published_on": datetime.date(2026, 9, 20),
        "summary": "De werkgroep vindt dat het akkoord te veel nieuwe taken vraagt en te weinig "
        "zekerheid geeft, en roept de ambassadeurs op tegen te stemmen.",
        "body": "## Het probleem\n\nDe praktijken kampen nu al met personeelstekort.\n\n"
        "## Waarom dit akkoord het niet oplost\n\nHet geld is voorwaardelijk en de "
        "taken zijn dat niet.\n\n## Ons alternatief\n\nApart onderhandelen over de "
        "huisartsenzorg, los van het brede akkoord.",
        "tags": ["werkdruk", "taken"],
    },
    {
        "slug": "tekenen-voor-invloed-in-de-regio",
        "title": "Tekenen voor invloed in de regio",
        "organisation": "Regioteam Oost",
        "organisation_code": "oost",
        "stance": Stance.FOR,
        "published_on": datetime.date(2026, 10, 2),
        "summary": "Wie tekent, zit aan tafel bij de regionale plannen. Het regioteam ziet dat "
        "als de beste manier om de huisartsenzorg te beschermen.",
        "body": "## Aan tafel zitten\n\nRegionale afspraken worden gemaakt met of zonder ons."
        "\n\n## Wat het oplevert\n\nZeggenschap over de inzet van transformatiegeld.",
        "tags": ["regio", "financiering"],
    },
    {
        "slug": "het-akkoord-uitgelegd",
        "title": "Het akkoord uitgelegd: feiten op een rij",
        "organisation": "Redactie Ledenstem",
        "organisation_code": "redactie",
        "stance": Stance.INFORMATIVE,
        "published_on": datetime.date(2026, 8, 30),
        "summary": "Een neutrale uitleg van de onderdelen van het akkoord, de partijen en de "
        "tijdlijn, zonder advies over de stemming.",
        "body": "## De partijen\n\nKoepels van aanbieders, verzekeraars, gemeenten en het "
        "ministerie.\n\n## De onderdelen\n\nPassende zorg, samenwerking in de regio, "
        "digitalisering en arbeidsmarkt.\n\n## De tijdlijn\n\nEerst de onderhandelingen,"
        " dan de ledenraadpleging, dan de stemming in de ledenvergadering.",
        "tags": ["uitleg"],
    },
]


@transaction.atomic
def load_demo_faq() -> int:
    """Create what is missing; existing items (perhaps edited by the board) are left alone."""
    created = 0
    topics = {}
    for order, (slug, name) in enumerate(TOPICS):
        topics[slug], _ = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "order": order}
        )
    papers = {}
    for spec in PAPERS:
        fields = {k: v for k, v in spec.items() if k not in ("slug", "tags")}
        paper, was_created = PositionPaper.objects.get_or_create(
            slug=spec["slug"], defaults={**fields, "status": Status.PUBLISHED}
        )
        if was_created:
            for name in spec["tags"]:
                tag, _ = Tag.objects.get_or_create(slug=name, defaults={"name": name})
                paper.tags.add(tag)
        created += was_created
        papers[spec["slug"]] = paper
    for order, (slug, label, question, answer, footnotes, visibility) in enumerate(QUESTIONS):
        item, was_created = Question.objects.get_or_create(
            topic=topics[slug],
            label=label,
            defaults={
                "question": question,
                "answer": answer,
                "footnotes": "\n".join(footnotes),
                "visibility": visibility,
                "status": Status.PUBLISHED,
                "order": order,
            },
        )
        if was_created and label in ("C", "E"):
            item.related_papers.set(papers.values())
        created += was_created
    return created
