from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FaqConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "faq"
    verbose_name = _("Veelgestelde vragen")
    board_permissions = [
        "faq.view_topic",
        "faq.add_topic",
        "faq.change_topic",
        "faq.view_question",
        "faq.add_question",
        "faq.change_question",
        "faq.view_tag",
        "faq.add_tag",
        "faq.change_tag",
        "faq.view_positionpaper",
        "faq.add_positionpaper",
        "faq.change_positionpaper",
        "faq.view_revision",
        "faq.view_memberquestion",
        "faq.change_memberquestion",
    ]

    def ready(self) -> None:
        from faq import signals

        signals.connect()
