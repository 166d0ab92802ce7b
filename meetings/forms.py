"""Board forms of a meeting: approve a stand-in, record a paper proxy."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting
from members.models import Mandate, Membership


class _PersonChoice(forms.ModelChoiceField):
    def __init__(self, *args, regions: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = regions

    def label_from_instance(self, user) -> str:
        return f"{user.get_full_name()} ({self.regions.get(user.pk, '')})"


class StandInForm(forms.Form):
    """Which ambassador is absent and which deputy of the region stands in."""

    def __init__(self, meeting: Meeting, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.order_by("full_name")
        for name, deputy, label in (
            ("ambassador", False, _("Afwezige ambassadeur")),
            ("deputy", True, _("Plaatsvervanger die instaat")),
        ):
            mandates = Mandate.objects.current().filter(is_deputy=deputy).select_related("region")
            regions = {m.user_id: m.region.name for m in mandates}
            self.fields[name] = _PersonChoice(
                queryset=users.filter(pk__in=regions), regions=regions, label=label
            )


class PaperProxyForm(forms.Form):
    """Grantor and holder by membership number, as written on the paper proxy."""

    grantor = forms.CharField(label=_("Lidnummer van de volmachtgever"), max_length=32)
    holder = forms.CharField(label=_("Lidnummer van de gevolmachtigde"), max_length=32)

    def __init__(self, meeting: Meeting, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting

    def _person(self, field: str):
        number = self.cleaned_data[field].strip()
        membership = (
            Membership.objects.filter(membership_number__iexact=number)
            .select_related("user")
            .first()
        )
        if membership is None:
            raise forms.ValidationError(_("Geen lid met dit lidnummer."))
        return membership.user

    def clean_grantor(self):
        return self._person("grantor")

    def clean_holder(self):
        return self._person("holder")
