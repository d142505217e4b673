"""Give every existing community the default referral reasons, questionnaires and settings.

The questionnaires are read from ginnel.referrals.questionnaires as they were
first shipped (version 1); later versions come with migrations of their own.
"""

from django.db import migrations

from ginnel.referrals.questionnaires import SHIPPED

DEFAULT_REASONS = [
    ("loneliness", "Loneliness and isolation"),
    ("low_mood", "Low mood or anxiety"),
    ("long_term_condition", "Living with a long-term condition"),
    ("carer", "Caring for someone"),
    ("bereavement", "Bereavement"),
    ("housing", "Housing"),
    ("money", "Money and debt"),
    ("work", "Work and volunteering"),
    ("physical_activity", "Physical activity"),
    ("digital_skills", "Digital skills"),
]


def seed(apps, schema_editor):
    Community = apps.get_model("communities", "Community")
    Reason = apps.get_model("referrals", "ReferralReason")
    Questionnaire = apps.get_model("referrals", "Questionnaire")
    Settings = apps.get_model("referrals", "ReferralSettings")
    for community in Community.objects.all().iterator():
        have = set(Reason.objects.filter(community=community).values_list("code", flat=True))
        Reason.objects.bulk_create(
            [
                Reason(community=community, code=code, label=label, position=i * 10)
                for i, (code, label) in enumerate(DEFAULT_REASONS, start=1)
                if code not in have
            ]
        )
        shipped = set(
            Questionnaire.objects.filter(community=community).values_list("code", "version")
        )
        Questionnaire.objects.bulk_create(
            [
                Questionnaire(
                    community=community,
                    code=q["code"],
                    version=1,
                    title=q["title"],
                    definition=q["definition"],
                    licence_note=q["licence_note"],
                    is_enabled=q["enabled"],
                )
                for q in SHIPPED
                if q["version"] == 1 and (q["code"], 1) not in shipped
            ]
        )
        Settings.objects.get_or_create(community=community)


def unseed(apps, schema_editor):
    # Nothing refers to the seeded rows before any referral is made; after that the
    # reverse would fail on the protected references, as it should.
    apps.get_model("referrals", "ReferralReason").objects.all().delete()
    apps.get_model("referrals", "Questionnaire").objects.all().delete()
    apps.get_model("referrals", "ReferralSettings").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_referrals_and_questionnaires")]
    operations = [migrations.RunPython(seed, unseed)]
