"""A member searches the FAQ, opens a question by its permalink and asks a new question; a
board member answers it in the moderation queue; the member gets the answer by email."""

import re

import pytest
from django.core import mail

from tests.e2e.helpers import log_in
from tests.factories import PASSWORD, QuestionFactory, TopicFactory, add_totp, board_member, member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_question_answered_by_board(page, browser, live_server):
    topic = TopicFactory(name="Geld en werk", slug="geld-en-werk")
    existing = QuestionFactory(
        topic=topic,
        label="D",
        question="Komt er meer geld voor praktijken?",
        answer="Ja, maar een deel is voorwaardelijk.",
    )
    member(email="anna@example.nl", user__full_name="Anna de Vries")
    board = board_member(email="secretaris@example.nl")
    secret = add_totp(board)

    log_in(page, "anna@example.nl", PASSWORD)
    page.get_by_label("Zoeken in FAQ en standpunten").fill("praktijken")
    page.get_by_role("button", name="Zoeken").click()
    page.get_by_role("link", name="D. Komt er meer geld voor praktijken?").click()
    page.wait_for_url(re.compile(rf"/faq/vraag/{existing.pk}/$"))
    assert "voorwaardelijk" in page.locator("article").inner_text()

    page.goto("/faq/vraag-stellen/")
    page.get_by_label("Uw vraag").fill("Geldt de regeling ook voor waarnemers?")
    page.get_by_role("button", name="Vraag versturen").click()
    page.wait_for_url(re.compile(r"/faq/mijn-vragen/"))
    assert "Geldt de regeling ook voor waarnemers?" in page.content()

    board_page = browser.new_context(base_url=live_server.url).new_page()
    log_in(board_page, "secretaris@example.nl", PASSWORD, totp_secret=secret)
    board_page.goto("/faq/moderatie/")
    board_page.get_by_role("link", name=re.compile("waarnemers")).click()
    board_page.get_by_label("Antwoord aan het lid").fill("Ja, waarnemers vallen er ook onder.")
    board_page.get_by_label("Ook publiceren als nieuwe FAQ-vraag").check()
    board_page.get_by_label("Onderwerp").select_option(label="Geld en werk")
    board_page.get_by_label("Label (letter of nummer)").fill("E")
    board_page.get_by_role("button", name="Antwoord versturen").click()
    board_page.wait_for_url(re.compile(r"/faq/moderatie/$"))

    [email] = [m for m in mail.outbox if m.to == ["anna@example.nl"]]
    assert "Ja, waarnemers vallen er ook onder." in email.body
    page.goto("/faq/mijn-vragen/")
    assert "Beantwoord" in page.content()
    page.get_by_role("link", name="Lees het antwoord in de FAQ").click()
    assert "waarnemers vallen er ook onder" in page.locator("article").inner_text()
