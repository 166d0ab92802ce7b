"""Demo FAQ content, written for the demo (not taken from any real FAQ)."""

from django.db import transaction

from faq.models import Question, Status, Topic, Visibility

DEMO_FAQ = [
    (
        "Het akkoord",
        [
            (
                "A",
                "Wat is het IZA in één alinea?",
                "Een afspraak tussen zorgpartijen en de overheid over hoe de zorg de komende "
                "jaren betaalbaar en bereikbaar blijft. Voor de huisarts gaat het vooral over "
                "**tijd voor de patiënt** en over de financiering van de praktijk.",
                Visibility.PUBLIC,
            ),
            (
                "B",
                "Wie beslist of de vereniging tekent?",
                "De algemene ledenvergadering. De ambassadeurs brengen per regio een gewogen "
                "stem uit; vooraf kunnen alle leden hun mening geven in een raadpleging.[^1]\n\n"
                "[^1]: Zie de statuten van de vereniging, artikel over de ledenraadpleging.",
                Visibility.PUBLIC,
            ),
        ],
    ),
    (
        "Stemmen",
        [
            (
                "C",
                "Kan iemand zien wat ik gestemd heb?",
                "Nee. Bij een geheime stemming wordt vastgelegd *dat* u stemde, los van *wat* "
                "u stemde. Met uw ontvangstcode kunt u na afloop controleren dat uw stem is "
                "meegeteld.",
                Visibility.PUBLIC,
            ),
            (
                "D",
                "Hoe weet ik hoe mijn regio heeft gestemd?",
                "Na afloop van een hoofdelijke stemming van de ambassadeurs staat per regio "
                "op de uitslagpagina wat de ambassadeur stemde en met welk gewicht.",
                Visibility.MEMBERS,
            ),
        ],
    ),
]


@transaction.atomic
def load_demo_faq() -> int:
    created = 0
    for topic_order, (topic_name, questions) in enumerate(DEMO_FAQ):
        topic, _ = Topic.objects.get_or_create(
            name=topic_name,
            defaults={"slug": topic_name.lower().replace(" ", "-"), "order": topic_order},
        )
        for order, (label, question, answer, visibility) in enumerate(questions):
            _question, was_created = Question.objects.get_or_create(
                topic=topic,
                label=label,
                defaults={
                    "question": question,
                    "answer": answer,
                    "visibility": visibility,
                    "status": Status.PUBLISHED,
                    "order": order,
                },
            )
            created += was_created
    return created
