"""Motions with amendments: the amendments are voted first (each a proposal ballot), every
adopted one changes the motion's text, and the final vote is on the amended text.

An amendment replaces one passage of the motion with new wording (or, without a passage,
adds its wording at the end). They are applied in the order they closed; an amendment whose
passage is no longer in the text (an earlier amendment changed it) cannot be applied and
the motion cannot open until the board resolves it: a clear refusal, never a silent skip.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ballots.errors import NotEditable


@dataclass(frozen=True)
class Amendment:
    number: int
    question: str
    find: str
    replace: str
    adopted: bool


def apply_amendments(text: str, amendments: list[Amendment]) -> str:
    """The motion's text with every adopted amendment applied, in the given order."""
    for amendment in amendments:
        if not amendment.adopted:
            continue
        if not amendment.find:
            text = f"{text.rstrip()}\n\n{amendment.replace.strip()}"
            continue
        if text.count(amendment.find) != 1:
            if amendment.find not in text:
                message = _(
                    "Amendement %(number)s (%(question)s) kan niet worden verwerkt: de te "
                    "vervangen passage komt niet voor in de tekst."
                )
            else:
                message = _(
                    "Amendement %(number)s (%(question)s) kan niet worden verwerkt: de te "
                    "vervangen passage komt vaker voor in de tekst."
                )
            raise NotEditable(
                message % {"number": amendment.number, "question": amendment.question}
            )
        text = text.replace(amendment.find, amendment.replace)
    return text


def amendments_of(motion) -> list[Amendment]:
    """The motion's amendments as voted, in the order they were counted."""
    from ballots.models import BallotStatus

    rows = motion.amendments.order_by("closes_at", "pk")
    result = []
    for number, ballot in enumerate(rows, start=1):
        if ballot.status not in (BallotStatus.CLOSED, BallotStatus.CERTIFIED) or not (
            ballot.is_counted
        ):
            raise NotEditable(
                _("Stem eerst over amendement %(number)s (%(question)s); daarna opent de motie.")
                % {"number": number, "question": ballot.question}
            )
        result.append(
            Amendment(
                number,
                ballot.question,
                ballot.amendment_find,
                ballot.amendment_replace,
                ballot.final_result["outcome"]["result"] == "adopted",
            )
        )
    return result
