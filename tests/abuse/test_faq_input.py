"""The FAQ search box, the "similar questions" helper and the member question form under
arbitrary input: never a 500; a search changes nothing; a question is stored exactly as
asked (stripped) or refused with a message on the field and nothing stored."""

from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from faq.member_questions import MAX_LENGTH, MAX_OPEN_PER_MEMBER, MIN_LENGTH
from faq.models import MemberQuestion
from tests.abuse.helpers import db_state, fuzz_settings, post_form
from tests.abuse.strategies import ARBITRARY, NASTY, extra_fields
from tests.factories import PositionPaperFactory, QuestionFactory, member

pytestmark = pytest.mark.django_db

# Search syntax of PostgreSQL's websearch_to_tsquery and friends, and plain junk.
QUERIES = st.one_of(
    ARBITRARY,
    st.lists(
        st.one_of(
            st.sampled_from(
                ['"', "-", "or", "OR", "&", "|", "!", ":*", "(", ")", "<->", "*", "\\"]
            ),
            st.text(max_size=6),
        ),
        max_size=10,
    ).map(" ".join),
    st.just("huisarts " * 100),
)


@pytest.fixture
def faq():
    QuestionFactory(question="Wat doet de huisarts?", answer="De huisarts helpt. <b>vet</b>")
    QuestionFactory(question="Wie betaalt?", answer="Iedereen.", visibility="members")
    PositionPaperFactory(title="Standpunt huisartsen")


@pytest.mark.parametrize("logged_in", [False, True])
def test_search_never_fails_and_changes_nothing(client, faq, logged_in):
    if logged_in:
        client.force_login(member())
    url = reverse("faq:search")

    @fuzz_settings(80)
    @given(q=st.one_of(QUERIES, st.lists(QUERIES, min_size=2, max_size=3)), extra=extra_fields())
    def run(q, extra):
        before = db_state()
        response = client.get(url + "?" + urlencode({**extra, "q": q}, doseq=True))
        assert response.status_code == 200
        form = response.context["form"]
        if not form.is_valid():  # too long, or a NUL: said on the field
            assert form.errors["q"]
        assert db_state() == before

    run()


def test_similar_questions_never_fail(client, faq):
    client.force_login(member())
    url = reverse("faq:similar")

    @fuzz_settings(60)
    @given(text=QUERIES)
    def run(text):
        before = db_state()
        response = client.get(url + "?" + urlencode({"text": text}))
        assert response.status_code == 200
        assert db_state() == before

    run()


QUESTIONS = st.one_of(
    ARBITRARY,
    st.text(min_size=MIN_LENGTH - 2, max_size=MIN_LENGTH + 2),
    st.integers(MAX_LENGTH - 2, MAX_LENGTH + 2).map(lambda n: "v" * n),
    st.builds(lambda pad, core: pad + core + pad, st.sampled_from([" ", "\n", "\t "]), NASTY),
    st.text(min_size=10, max_size=300),
)


def test_member_questions_are_stored_as_asked_or_refused_with_a_message(client, faq):
    asker = member()
    client.force_login(asker)
    url = reverse("faq:ask")

    @fuzz_settings(80)
    @given(text=st.one_of(st.none(), QUESTIONS), extra=extra_fields(lambda k: k == "text"))
    def run(text, extra):
        # A browser always sends the CSRF token beside the fields (not checked by this client).
        data = {**extra, "csrfmiddlewaretoken": "x"}
        if text is not None:
            data["text"] = text
        with transaction.atomic():
            before = db_state()
            response = post_form(client, url, data)
            if response.status_code == 302:
                assert response["Location"] == reverse("faq:my_questions")
                stored = MemberQuestion.objects.exclude(
                    pk__in=[row[0] for row in before["faq.MemberQuestion"]]
                )
                assert [(q.asked_by_id, q.text) for q in stored] == [(asker.pk, text.strip())]
                assert MIN_LENGTH <= len(text.strip()) <= MAX_LENGTH and "\x00" not in text
            else:
                assert response.status_code == 200
                errors = response.context["form"].errors["text"]
                assert errors and all(str(e) in response.content.decode() for e in errors)
                assert db_state() == before
            transaction.set_rollback(True)

    run()


def test_the_open_question_limit_refuses_with_a_message(client):
    asker = member()
    client.force_login(asker)
    url = reverse("faq:ask")
    for n in range(MAX_OPEN_PER_MEMBER):
        assert (
            post_form(client, url, {"text": f"Vraag nummer {n} over het akkoord?"}).status_code
            == 302
        )
    before = db_state()
    response = post_form(client, url, {"text": "Nog een vraag over het akkoord?"})
    assert response.status_code == 200 and "in behandeling" in response.content.decode()
    assert db_state() == before
