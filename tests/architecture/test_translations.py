"""Every word a person reads in a template goes through Django's translation tags.

A simple reader, not a full template engine: it takes out what is translated
or not read (``{% translate %}``, ``{% blocktranslate %}…{% endblocktranslate %}``,
``{{ … }}``, the other ``{% … %}`` tags, ``{# … #}`` and ``{% comment %}``
blocks, HTML tags, scripts and styles), then reports any letters left, in the
text or in the attributes people read (``alt``, ``title``, ``placeholder``,
``aria-label`` and the others below, and the ``value`` of an input drawn as a
button).

Only the templates converted so far are checked: :data:`CONVERTED` grows until
it holds every template under ``ginnel/*/templates`` (then the set goes and
every template is checked).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import ginnel

ROOT = Path(ginnel.__file__).parent

#: Templates already converted, relative to ``ginnel/``. It grows, app by app,
#: to every template under ginnel/*/templates.
CONVERTED = {
    "people/templates/people/_compare.html",
    "people/templates/people/about.html",
    "people/templates/people/consents.html",
    "people/templates/people/email_check.txt",
    "people/templates/people/goal.html",
    "people/templates/people/goals.html",
    "people/templates/people/notes.html",
    "people/templates/people/profile.html",
    "people/templates/people/strengths_step.html",
    "people/templates/people/then_and_now.html",
    "matching/templates/matching/_dismissed.html",
    "matching/templates/matching/_restored.html",
    "matching/templates/matching/_sections.html",
    "matching/templates/matching/_suggestion.html",
    "matching/templates/matching/hidden.html",
    "matching/templates/matching/introductions.html",
    "matching/templates/matching/my_introductions.html",
    "web/templates/base.html",
    "ui/templates/ui/picker/picker.html",
    "ui/templates/ui/picker/_results.html",
    "ui/templates/ui/picker/_status.html",
    "communities/templates/communities/settings.html",
    "communities/templates/communities/member_roles.html",
    "communities/templates/communities/neighbourhood.html",
    "directory/templates/directory/person_organisations.html",
    "communities/templates/communities/_members_table.html",
    "communities/templates/communities/applications.html",
    "communities/templates/communities/invitations.html",
    "communities/templates/communities/join.html",
    "communities/templates/communities/join_invitation_only.html",
    "communities/templates/communities/join_status.html",
    "communities/templates/communities/me.html",
    "communities/templates/communities/member_new.html",
    "communities/templates/communities/members.html",
    "web/templates/400.html",
    "web/templates/403.html",
    "web/templates/404.html",
    "web/templates/500.html",
    "web/templates/web/_welcome_nav.html",
    "web/templates/web/choose_community.html",
    "web/templates/web/community_home.html",
    "web/templates/web/email_check_done.html",
    "web/templates/web/email_check_failed.html",
    "web/templates/web/home.html",
    "network/templates/network/dashboard.html",
    "web/templates/web/insights.html",
    "web/templates/web/locked_out.html",
    "web/templates/web/login.html",
    "web/templates/web/password_reset.html",
    "web/templates/web/password_reset_complete.html",
    "web/templates/web/password_reset_confirm.html",
    "web/templates/web/password_reset_done.html",
    "web/templates/web/password_reset_email.txt",
    "web/templates/web/password_reset_subject.txt",
    "web/templates/web/person.html",
    "web/templates/web/welcome_1.html",
    "web/templates/web/welcome_2.html",
    "web/templates/web/welcome_3.html",
    "web/templates/web/welcome_4.html",
    "timebank/templates/timebank/_listing_results.html",
    "timebank/templates/timebank/categories.html",
    "timebank/templates/timebank/category_edit.html",
    "timebank/templates/timebank/coordinate.html",
    "timebank/templates/timebank/donate.html",
    "timebank/templates/timebank/exchange_detail.html",
    "timebank/templates/timebank/listing_detail.html",
    "timebank/templates/timebank/listing_form.html",
    "timebank/templates/timebank/listings.html",
    "timebank/templates/timebank/mine.html",
    "timebank/templates/timebank/record.html",
    "timebank/templates/timebank/report.html",
    "timebank/templates/timebank/safeguarding.html",
    "timebank/templates/timebank/statement.html",
}

#: Attributes whose words people read (or hear from a screen reader).
READ_ATTRIBUTES = {
    "alt",
    "title",
    "placeholder",
    "aria-label",
    "aria-description",
    "aria-roledescription",
}
#: Inputs that show their value as a button's words.
BUTTON_INPUTS = {"submit", "button", "reset"}
NOT_READ = {"script", "style"}
LETTER = re.compile(r"[^\W\d_]")

# Taken out whole (a block's words are all translated, or never shown).
BLOCKS = re.compile(
    r"{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}"
    r"|{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}"
    r"|{#.*?#}",
    re.DOTALL,
)
# Then every other tag, {% translate %} among them, and every {{ variable }}.
TAGS = re.compile(r"{%.*?%}|{{.*?}}", re.DOTALL)


def _blank(match: re.Match[str]) -> str:
    """Nothing in place of the match, but its line breaks, so line numbers still hold."""
    return "\n" * match.group(0).count("\n")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in NOT_READ:
            self._skipping += 1
        values = dict(attrs)
        for name, value in attrs:
            read = name in READ_ATTRIBUTES or (
                name == "value" and tag == "input" and values.get("type") in BUTTON_INPUTS
            )
            if read and value and LETTER.search(value):
                self.found.append((self.getpos()[0], f'{name}="{value.strip()}"'))

    def handle_endtag(self, tag: str) -> None:
        if tag in NOT_READ and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and LETTER.search(data):
            self.found.append((self.getpos()[0], " ".join(data.split())))


def untranslated(source: str) -> list[tuple[int, str]]:
    """(line, words) for each piece of text a person reads outside the translation tags."""
    stripped = TAGS.sub(_blank, BLOCKS.sub(_blank, source))
    reader = _Reader()
    reader.feed(stripped)
    reader.close()
    return reader.found


def _templates() -> list[str]:
    return sorted(
        str(path.relative_to(ROOT))
        for path in ROOT.glob("*/templates/**/*")
        if path.is_file() and path.suffix in {".html", ".txt"}
    )


def test_every_template_counted_as_converted_exists() -> None:
    missing = CONVERTED - set(_templates())
    assert not missing, f"No such template: {sorted(missing)}"


@pytest.mark.parametrize("template", sorted(CONVERTED))
def test_a_converted_template_has_no_words_outside_the_translation_tags(template: str) -> None:
    found = untranslated((ROOT / template).read_text(encoding="utf-8"))
    shown = "\n".join(f"  line {line}: {words}" for line, words in found)
    assert not found, f"{template} has words outside the translation tags:\n{shown}"


def test_the_reader_finds_words_in_text_and_in_the_attributes_people_read() -> None:
    source = """{% load i18n %}
<h1>Your goals</h1>
<img src="x.png" alt="A map">
<input type="submit" value="Save">
<a href="/" aria-label="Home">{% translate "Home" %}</a>
"""
    assert untranslated(source) == [
        (2, "Your goals"),
        (3, 'alt="A map"'),
        (4, 'value="Save"'),
        (5, 'aria-label="Home"'),
    ]


def test_the_reader_passes_translated_words_markup_and_what_no_one_reads() -> None:
    source = """{% load i18n %}
{% comment %}Notes for whoever edits this.{% endcomment %}{# and this #}
<h1 class="heading-m">{% translate "Your goals" %}</h1>
<p>{% blocktranslate trimmed with name=person.name %}
  Goals of {{ name }}
{% endblocktranslate %}</p>
<td data-label="{% translate "Then" %}">{{ value|default:_("Not said") }} · 12</td>
<button type="submit" name="done" value="yes">{% translate "Tick off" %}</button>
<input type="hidden" name="form" value="step">
<script>document.title = "not read";</script>
"""
    assert untranslated(source) == []
