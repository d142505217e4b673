"""What the channel, dispatcher and failed-page tests share: test kinds and settings for Notify."""

from __future__ import annotations

from pathlib import Path

from ginnel.notifications import kinds, services
from ginnel.notifications.kinds import Channel, Frequency, Kind
from ginnel.notifications.models import CommunityChannels, ContactSettings, Delivery

TEMPLATES = Path(__file__).parent / "templates"
SITE = "https://ginnel.example"
EMAIL_TEMPLATE = "11111111-1111-4111-8111-111111111111"
SMS_TEMPLATE = "22222222-2222-4222-8222-222222222222"
LETTER_TEMPLATE = "33333333-3333-4333-8333-333333333333"

EVERY_CHANNEL = {
    Channel.EMAIL: Frequency.IMMEDIATELY,
    Channel.SMS: Frequency.IMMEDIATELY,
    Channel.LETTER: Frequency.IMMEDIATELY,
}

PLAIN = kinds.register(
    Kind(
        code="tests.sending.plain",
        label="A test notification",
        audience="Whoever the test names",
        templates="notifications_tests/plain",
        defaults=EVERY_CHANNEL,
    )
)
SENSITIVE = kinds.register(
    Kind(
        code="tests.sending.sensitive",
        label="A test referral",
        audience="Whoever the test names",
        templates="notifications_tests/sensitive",
        defaults=EVERY_CHANNEL,
        sensitive=True,
    )
)
BARE = kinds.register(
    Kind(
        code="tests.sending.bare",
        label="A test notification with a title and an email only",
        audience="Whoever the test names",
        templates="notifications_tests/bare",
        defaults=EVERY_CHANNEL,
    )
)


def use_test_templates(settings) -> None:
    """Add the test kinds' template folder (the pytest-django ``settings`` fixture)."""
    engine = dict(settings.TEMPLATES[0])
    engine["DIRS"] = [*engine["DIRS"], TEMPLATES]
    settings.TEMPLATES = [engine]
    settings.SITE_URL = SITE


def use_notify(settings, fake, *, email: str = "django") -> None:
    settings.GINNEL_NOTIFY_API_KEY = fake.api_key
    settings.GINNEL_NOTIFY_BASE_URL = fake.base_url
    settings.GINNEL_NOTIFY_EMAIL_TEMPLATE = EMAIL_TEMPLATE
    settings.GINNEL_NOTIFY_SMS_TEMPLATE = SMS_TEMPLATE
    settings.GINNEL_NOTIFY_LETTER_TEMPLATE = LETTER_TEMPLATE
    settings.GINNEL_NOTIFY_EMAIL_CHANNEL = email


def reachable(
    community, person, *, phone="07700 900123", address="1 Mill Row\nHebble End\nHX7 8AA"
):
    """Texts and letters on for ``community``; ``person`` has a number and a postal address."""
    CommunityChannels.objects.update_or_create(
        community=community, defaults={"texts_enabled": True, "letters_enabled": True}
    )
    person.phone = phone
    person.save()
    ContactSettings.objects.update_or_create(
        community=community,
        person=person,
        defaults={"letter_name": "Sam Carer", "letter_address": address},
    )


def tell(community, person, *, kind=PLAIN, context=None, url="/c/calder-vale/things/1/", key=""):
    """One notification to ``person``; its deliveries by channel value."""
    [notification] = services.notify(
        community=community,
        kind=kind.code,
        recipients=[person],
        url=url,
        context=context if context is not None else {"what": "Ironing & folding"},
        dedupe_key=key,
    )
    return {d.channel: d for d in Delivery.objects.filter(notification=notification)}
