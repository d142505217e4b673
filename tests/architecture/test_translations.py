"""Every word a person reads in a template goes through Django's translation tags.

A simple reader, not a full template engine: it takes out what is translated
or not read (``{% translate %}``, ``{% blocktranslate %}…{% endblocktranslate %}``,
``{{ … }}``, the other ``{% … %}`` tags, ``{# … #}`` and ``{% comment %}``
blocks, HTML tags, scripts and styles), then reports any letters left, in the
text or in the attributes people read (``alt``, ``title``, ``placeholder``,
``aria-label`` and the others below, and the ``value`` of an input drawn as a
button).

Every template under ``ginnel/*/templates`` is checked.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import ginnel

ROOT = Path(ginnel.__file__).parent


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


def test_the_templates_are_found() -> None:
    assert {"web/templates/base.html", "timebank/templates/timebank/record.html"} <= set(
        _templates()
    )


@pytest.mark.parametrize("template", _templates())
def test_a_template_has_no_words_outside_the_translation_tags(template: str) -> None:
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
