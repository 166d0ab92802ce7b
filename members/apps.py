from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "members"
    verbose_name = _("Leden")
    # Permissions the board role holds for this app (see members.roles.sync_board_group).
    # Accounts and roles are not among them (issue #13): with change_user a board member made
    # themselves superuser and set members' passwords; with add/change_mandate they could make
    # anyone an ambassador. Roles come from the register import (recorded as RoleChange) or a
    # superuser. view_user stays for the user search on the membership pages.
    board_permissions = [
        "members.access_board",
        "members.import_register",
        "members.view_user",
        "members.view_region",
        "members.add_region",
        "members.change_region",
        "members.view_membership",
        "members.add_membership",
        "members.change_membership",
        "members.view_mandate",
        "members.view_rolechange",
    ]

    def ready(self) -> None:
        from members import signals
        from members.roles import sync_board_group_after_migrate

        signals.connect()

        # Permissions exist only after migrate has created them, so the board group is synced
        # then (and again after every migrate), never in a data migration.
        post_migrate.connect(sync_board_group_after_migrate, dispatch_uid="ledenstem-board-group")
