"""Which signed documents the platform stores, for the one authenticity check (verification
page, `verify_result`). Each app that signs documents registers a lookup by SHA-256 (ballots:
the proces-verbaal of a ballot; meetings: the record of a meeting), so the check never needs
to import the apps above it and the dependency picture stays one-way."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class StoredDocument:
    record: object  # the stored row (ResultDocument, MeetingDocument, ...)
    kind: str  # "Stemming" or "Vergadering", as the page labels it
    number: int  # the ballot's or meeting's number
    title: str
    url: str
    signed_at: datetime
    seal: str  # the final seal the document certifies
    development_certificate: bool


Lookup = Callable[[str], StoredDocument | None]
_LOOKUPS: list[Lookup] = []


def register(lookup: Lookup) -> None:
    if lookup not in _LOOKUPS:
        _LOOKUPS.append(lookup)


def find(sha256: str) -> StoredDocument | None:
    for lookup in _LOOKUPS:
        if (found := lookup(sha256)) is not None:
            return found
    return None


def ballot_document(sha256: str) -> StoredDocument | None:
    from django.urls import reverse

    from ballots.models import ResultDocument

    document = ResultDocument.objects.select_related("ballot").filter(sha256=sha256).first()
    if document is None:
        return None
    return StoredDocument(
        record=document,
        kind="Stemming",
        number=document.ballot_id,
        title=document.ballot.question,
        url=reverse("ballots:results", args=[document.ballot_id]),
        signed_at=document.signed_at,
        seal=document.seal,
        development_certificate=document.development_certificate,
    )
