"""Secret ballots that stay secret (issue #12): pending votes become ciphertext, reporting
groups replace regions, weighted ballots are never secret, secret tallies only after closing.

Existing data: a pending vote of an open secret ballot is encrypted under a new key for its
ballot (so nothing acknowledged is lost); secret ballots get the "nobody until closing" rule;
a secret ambassador ballot that has not opened becomes a roll call, one that has opened stops
the migration with a message (close and count it on the old version first)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def seal_existing_pending_votes(apps, schema_editor):
    from ballots import vote_keys

    Ballot = apps.get_model("ballots", "Ballot")
    PendingVote = apps.get_model("ballots", "PendingVote")
    Ballot.objects.filter(secrecy="secret").exclude(result_visibility="closed").update(
        result_visibility="closed"
    )
    weighted = Ballot.objects.filter(secrecy="secret", electorate="ambassadors")
    weighted.filter(status__in=["draft", "scheduled"]).update(secrecy="named")
    if weighted.exists():
        raise RuntimeError(
            "Secret ambassador ballots that have opened: "
            f"{list(weighted.values_list('pk', flat=True))}. Close them on the previous version."
        )
    for ballot_id in PendingVote.objects.values_list("ballot_id", flat=True).distinct():
        key_id = vote_keys.create_key()
        Ballot.objects.filter(pk=ballot_id).update(vote_key_id=key_id)
        for pending in PendingVote.objects.filter(ballot_id=ballot_id):
            pending.sealed = vote_keys.seal(
                key_id,
                ballot_id,
                {"parts": [[pending.choice_id, pending.weight]], "receipt": pending.receipt_hash},
            )
            pending.save(update_fields=["sealed"])


class Migration(migrations.Migration):
    dependencies = [
        ("ballots", "0002_certification"),
        ("faq", "0002_search_indexes"),
        ("members", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportingGroup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveSmallIntegerField()),
                ("name", models.CharField(max_length=1000)),
            ],
            options={
                "ordering": ["ballot", "number"],
            },
        ),
        migrations.RemoveIndex(
            model_name="pendingvote",
            name="ballots_pen_ballot__d88276_idx",
        ),
        migrations.AddField(
            model_name="ballot",
            name="vote_key_id",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name="pendingvote",
            name="sealed",
            field=models.BinaryField(default=b""),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="vote",
            name="region",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="members.region",
            ),
        ),
        migrations.AddIndex(
            model_name="pendingvote",
            index=models.Index(fields=["ballot"], name="ballots_pen_ballot__5410be_idx"),
        ),
        migrations.AddField(
            model_name="reportinggroup",
            name="ballot",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reporting_groups",
                to="ballots.ballot",
            ),
        ),
        migrations.AddField(
            model_name="reportinggroup",
            name="regions",
            field=models.ManyToManyField(related_name="+", to="members.region"),
        ),
        migrations.AddField(
            model_name="elector",
            name="group",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="electors",
                to="ballots.reportinggroup",
            ),
        ),
        migrations.AddField(
            model_name="vote",
            name="group",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ballots.reportinggroup",
            ),
        ),
        migrations.RunPython(seal_existing_pending_votes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="ballot",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("secrecy", "named"), ("electorate", "members"), _connector="OR"
                ),
                name="secret_only_unweighted",
                violation_error_message="Een stemming van ambassadeurs (gewogen) is altijd hoofdelijk: bij bekende gewichten verraden de totalen per keuze wie wat stemde.",
            ),
        ),
        migrations.AddConstraint(
            model_name="ballot",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("secrecy", "named"), ("result_visibility", "closed"), _connector="OR"
                ),
                name="secret_tally_only_after_closing",
                violation_error_message="Bij een geheime stemming ziet niemand een tussenstand: kies 'niemand tot de sluiting'.",
            ),
        ),
        migrations.RemoveField(
            model_name="pendingvote",
            name="choice",
        ),
        migrations.RemoveField(
            model_name="pendingvote",
            name="receipt_hash",
        ),
        migrations.RemoveField(
            model_name="pendingvote",
            name="region",
        ),
        migrations.RemoveField(
            model_name="pendingvote",
            name="weight",
        ),
        migrations.AddConstraint(
            model_name="reportinggroup",
            constraint=models.UniqueConstraint(
                fields=("ballot", "number"), name="group_number_unique"
            ),
        ),
    ]
