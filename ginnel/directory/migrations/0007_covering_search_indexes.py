# Covering indexes for search: day search reads only the openings index, a term search only
# the attribute index.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0003_neighbourhood_centre"),
        ("directory", "0006_service_openings"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="attribute",
            name="attribute_term",
        ),
        migrations.RemoveIndex(
            model_name="serviceopening",
            name="opening_day",
        ),
        migrations.AddIndex(
            model_name="attribute",
            index=models.Index(
                fields=["taxonomy_term", "link_type", "community", "link_id"],
                name="attribute_term_link",
            ),
        ),
        migrations.AddIndex(
            model_name="serviceopening",
            index=models.Index(
                fields=[
                    "community",
                    "weekday",
                    "opens_at",
                    "closes_at",
                    "valid_from",
                    "valid_to",
                    "service",
                ],
                name="opening_day_hours",
            ),
        ),
    ]
