from faq.models import Question


def latest_changes(*, user, limit: int) -> list[Question]:
    """The most recently updated answers this user may read, newest first."""
    return list(
        Question.objects.visible_to(user).select_related("topic").order_by("-updated_at")[:limit]
    )
