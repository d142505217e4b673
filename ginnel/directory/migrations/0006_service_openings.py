# The weekly openings of every service, derived from the schedules, for day search;
# filled here for the services already in the directory.

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    from collections import defaultdict

    from ginnel.directory.services.derived import weekdays

    Schedule = apps.get_model("directory", "Schedule")
    ServiceAtLocation = apps.get_model("directory", "ServiceAtLocation")
    ServiceOpening = apps.get_model("directory", "ServiceOpening")
    Service = apps.get_model("directory", "Service")
    fields = ("byday", "opens_at", "closes_at", "valid_from", "valid_to")
    found = defaultdict(set)
    by_location = defaultdict(set)
    for service_id, location_id in ServiceAtLocation.objects.values_list(
        "service_id", "location_id"
    ).iterator():
        by_location[location_id].add(service_id)
    for service_id, sal_service_id, location_id, byday, *hours in Schedule.objects.values_list(
        "service_id", "service_at_location__service_id", "location_id", *fields
    ).iterator():
        services = set()
        if service_id is not None:
            services.add(service_id)
        if sal_service_id is not None:
            services.add(sal_service_id)
        if location_id is not None:
            services |= by_location[location_id]
        for pk in services:
            for day in weekdays(byday):
                found[pk].add((day, *hours))
    community_of = dict(Service.objects.values_list("pk", "community_id").iterator())
    rows = [
        ServiceOpening(
            community_id=community_of[pk],
            service_id=pk,
            weekday=day,
            opens_at=opens,
            closes_at=closes,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        for pk, openings in found.items()
        for day, opens, closes, valid_from, valid_to in openings
    ]
    ServiceOpening.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0003_neighbourhood_centre"),
        ("directory", "0005_saved_services"),
    ]

    operations = [
        migrations.CreateModel(
            name="ServiceOpening",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("weekday", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("opens_at", models.TimeField(blank=True, null=True)),
                ("closes_at", models.TimeField(blank=True, null=True)),
                ("valid_from", models.DateField(blank=True, null=True)),
                ("valid_to", models.DateField(blank=True, null=True)),
                (
                    "community",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="communities.community",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="openings",
                        to="directory.service",
                    ),
                ),
            ],
            options={
                "ordering": ("service", "weekday", "opens_at"),
                "indexes": [
                    models.Index(
                        fields=["community", "weekday", "opens_at", "service"], name="opening_day"
                    )
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
