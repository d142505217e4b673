"""Give every existing community the default skill categories."""

from django.db import migrations

DEFAULT_CATEGORIES = [
    "Befriending", "Gardening", "DIY and repairs", "Lifts and transport", "Shopping and errands",
    "IT help", "Form filling", "Cooking", "Language and conversation", "Music", "Pet care",
    "Sewing and mending", "Childcare", "Cleaning and tidying", "Arts and crafts",
    "Reading and writing", "Sport and exercise", "Teaching and tutoring", "Admin and paperwork",
    "Walking and outings",
]


def seed(apps, schema_editor):
    Community = apps.get_model("communities", "Community")
    Category = apps.get_model("timebank", "Category")
    for community in Community.objects.all().iterator():
        existing = set(Category.objects.filter(community=community).values_list("name", flat=True))
        Category.objects.bulk_create(
            [Category(community=community, name=n) for n in DEFAULT_CATEGORIES if n not in existing]
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("timebank", "Category")
    Category.objects.filter(name__in=DEFAULT_CATEGORIES, listings__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("timebank", "0001_ledger_and_exchanges")]
    operations = [migrations.RunPython(seed, unseed)]
