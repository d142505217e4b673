"""What other capabilities add to a person's roles page, without the tenancy knowing them.

An administrator changes a person's roles on one page; a role may need more
than the tick (an organisation editor edits *which* organisations). The
capability that knows registers an extension in its ``AppConfig.ready()``::

    from ginnel.communities.roles_page import on_roles_page

    on_roles_page(directory_roles_links)

An extension takes ``access=`` (the administrator's standing) and ``person=``
(whose roles these are) and returns links to its own pages, already
translated, leaving out what the asker may not do. The roles page lists them
under the form, in registration order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ginnel.communities.permissions import Access
    from ginnel.people.models import Person


@dataclass(frozen=True)
class RoleLink:
    """A link from the roles page: what it leads to (a sentence) and, optionally, what holds now."""

    text: str
    url: str
    detail: str = ""


RolesExtension = Callable[..., Iterable[RoleLink]]

_extensions: list[RolesExtension] = []


def on_roles_page(extension: RolesExtension) -> RolesExtension:
    """Register ``extension(access=…, person=…)``; registering twice is once."""
    if extension not in _extensions:
        _extensions.append(extension)
    return extension


def roles_page_links(*, access: Access, person: Person) -> list[RoleLink]:
    """The links every registered extension has for this person, in registration order."""
    links: list[RoleLink] = []
    for extension in _extensions:
        links.extend(extension(access=access, person=person))
    return links
