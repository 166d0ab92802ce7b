from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BallotsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ballots"
    verbose_name = _("Stemmingen")
    board_permissions = [
        "ballots.view_ballot",
        "ballots.add_ballot",
        "ballots.change_ballot",
        "ballots.view_choice",
        "ballots.add_choice",
        "ballots.change_choice",
        "ballots.delete_choice",
        "ballots.manage_ballot",
        "ballots.export_results",
    ]

    def ready(self) -> None:
        from ballots import document_registry, read_first

        document_registry.register(document_registry.ballot_document)
        read_first.connect()
