"""Keeping the previous version of published FAQ answers and position papers.

Whoever changes a published item (admin, import, publish/unpublish) saves it through
`save_with_revision`, so the version readers saw before is never lost.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from faq.models import PositionPaper, Question, Revision, Status

TRACKED_FIELDS = {
    Question: ["label", "question", "answer", "footnotes", "topic_id", "status", "visibility"],
    PositionPaper: [
        "title",
        "organisation",
        "organisation_code",
        "stance",
        "published_on",
        "summary",
        "body",
        "pdf",
        "status",
        "visibility",
    ],
}
FIELD_LABELS = {
    "label": "label",
    "question": "vraag",
    "answer": "antwoord",
    "footnotes": "voetnoten",
    "topic_id": "onderwerp",
    "status": "status",
    "visibility": "zichtbaarheid",
    "title": "titel",
    "organisation": "organisatie",
    "organisation_code": "organisatiecode",
    "stance": "standpunt",
    "published_on": "publicatiedatum",
    "summary": "samenvatting",
    "body": "tekst",
    "pdf": "PDF-bijlage",
}


def _value(item, field: str):
    value = getattr(item, field)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "name") and not isinstance(value, str):  # a FieldFile
        return value.name or ""
    return value


def snapshot(item) -> dict:
    return {field: _value(item, field) for field in TRACKED_FIELDS[type(item)]}


def save_with_revision(item, *, user=None, note: str = "") -> Revision | None:
    """Save `item`; if the stored version was published and a tracked field changed, keep the
    stored version as a Revision. Locks the stored row so two editors cannot both believe
    they changed the same version."""
    with transaction.atomic():
        previous = None
        if item.pk is not None:
            previous = type(item).objects.select_for_update().filter(pk=item.pk).first()
        revision = None
        if previous is not None and previous.status == Status.PUBLISHED:
            before, after = snapshot(previous), snapshot(item)
            changed = [field for field in before if before[field] != after[field]]
            if changed:
                revision = Revision.objects.create(
                    content_type=ContentType.objects.get_for_model(item),
                    object_id=item.pk,
                    snapshot=before,
                    changed_fields=changed,
                    changed_by=user if user is not None and user.is_authenticated else None,
                    note=note,
                )
        item.save()
    return revision


def set_status(item, status: str, *, user=None) -> Revision | None:
    """Publishing and unpublishing are explicit acts, recorded like any other change."""
    item.status = status
    return save_with_revision(item, user=user, note=f"status: {status}")


def _revisions_query(item):
    return Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(item), object_id=item.pk
    )


def revisions_of(item) -> list[Revision]:
    return list(_revisions_query(item).select_related("changed_by"))


def has_revisions(item) -> bool:
    """Whether the page links to the changes: asked on every FAQ page, so without loading
    the snapshots (issue #18)."""
    return _revisions_query(item).exists()


def change_history(item) -> list[dict]:
    """Each change, newest first: who, when, and per changed field the old and new text.

    The "new" side of a revision is the next newer revision's snapshot, or the item as it is
    now for the newest one.
    """
    history = []
    newer = snapshot(item)
    for revision in revisions_of(item):
        fields = [
            {
                "name": FIELD_LABELS.get(field, field),
                "old": str(revision.snapshot.get(field, "")),
                "new": str(newer.get(field, "")),
            }
            for field in revision.changed_fields
        ]
        history.append({"revision": revision, "fields": fields})
        newer = revision.snapshot
    return history
