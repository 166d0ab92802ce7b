from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "meetings"
    verbose_name = _("Vergaderingen")
    # The board runs meetings in the product's own pages (console, desk, stand-ins, paper
    # proxies), never in the Django admin (members.roles.sync_board_group).
    board_permissions = ["meetings.run_meeting"]

    def ready(self) -> None:
        # meetings sits above ballots: ballots announces that a ballot opened, and the meeting
        # it belongs to brings in its attendance, stand-ins and paper proxies (meetings.sync).
        from ballots.signals import ballot_opened
        from meetings.sync import apply_meeting_to_opened_ballot

        ballot_opened.connect(apply_meeting_to_opened_ballot, dispatch_uid="meetings.sync")
        # The meeting's signed record is checked like a ballot's document (verify_result, the
        # public verification page): ballots asks its registry, never this app directly.
        from ballots import document_registry
        from meetings.certification import meeting_document

        document_registry.register(meeting_document)
