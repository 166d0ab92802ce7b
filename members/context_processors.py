from django.conf import settings

from members.roles import is_board


def site(request) -> dict:
    """What the site shell needs on every page: the association and the user's roles."""
    user = getattr(request, "user", None)
    return {
        "association_name": settings.ASSOCIATION_NAME,
        "user_is_board": bool(user and is_board(user)),
    }
