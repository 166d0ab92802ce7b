"""The ballot page's "Lees eerst" list: the position papers and FAQ answers the board linked to
the ballot, a part made only of the FAQ and the links to it.

Every elector opens the ballot page when an assembly votes, and the list cost two queries per
page (issue #18). It is kept as a part of faq.page_cache, per ballot, audience and language:
any change to a question or paper already starts a new FAQ generation (faq.signals), and a
change to the ballot's links does so here.
"""

from django.db.models.signals import m2m_changed, post_delete
from django.template.loader import render_to_string
from django.utils.translation import get_language

from ballots.models import Ballot
from faq import page_cache


def html(ballot: Ballot, user) -> str:
    """The list as this user may read it: published items, members-only ones for members."""
    return page_cache.part(
        f"ballot.{ballot.pk}.read-first",
        audience=page_cache.audience_of(user),
        language=get_language(),
        render=lambda: render(
            ballot.read_first_papers.visible_to(user), ballot.read_first_questions.visible_to(user)
        ),
    )


def render(papers, questions) -> str:
    return render_to_string(
        "ballots/_read_first.html",
        {"read_first_papers": papers, "read_first_questions": questions},
    )


def _links_changed(sender, **kwargs) -> None:
    page_cache.changed()


def connect() -> None:
    for through in (Ballot.read_first_papers.through, Ballot.read_first_questions.through):
        m2m_changed.connect(
            _links_changed, sender=through, dispatch_uid=f"read-first-{through.__name__}"
        )
    # A ballot's number is never reused on PostgreSQL; on SQLite the cache is off. Still: a
    # deleted ballot's list must not outlive it.
    post_delete.connect(_links_changed, sender=Ballot, dispatch_uid="read-first-ballot-deleted")
