"""Motions with amendments: the amendments are voted first (each a proposal ballot), every
adopted one changes the motion's text, and the final vote is on the amended text.

An amendment replaces one passage of the motion with new wording (or, without a passage,
adds its wording at the end). They are applied in the order they closed; an amendment whose
passage is no longer in the text (an earlier amendment changed it) cannot be applied and
the motion cannot open until the board resolves it: a clear refusal, never a silent skip.
"""

from dataclasses import dataclass

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
            where = "komt niet voor" if amendment.find not in text else "komt vaker voor"
            raise NotEditable(
                f"Amendement {amendment.number} ({amendment.question}) kan niet worden verwerkt: "
                f"de te vervangen passage {where} in de tekst."
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
                f"Stem eerst over amendement {number} ({ballot.question}); daarna opent de motie."
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
