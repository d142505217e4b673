"""Notification settings: a person's own, and a coordinator's or link worker's page for someone."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.errors import GinnelError
from ginnel.notifications import selectors_preferences as selectors
from ginnel.notifications import services_preferences as services
from ginnel.notifications.forms_preferences import PreferencesForm
from ginnel.notifications.kinds import Frequency
from ginnel.notifications.models import Preference
from ginnel.people.models import Person


@community_view(Perm.EDIT_OWN_RECORD)
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, access: Access) -> HttpResponse:
    assert access.membership is not None  # noqa: S101 (EDIT_OWN_RECORD implies a membership)
    return _page(request, access, access.membership.person, own=True)


@community_view(Perm.RECORD_PERSON)
@require_http_methods(["GET", "POST"])
def person_preferences(request: HttpRequest, access: Access, person_id: int) -> HttpResponse:
    person = (
        Person.objects.filter(community=access.community, pk=person_id)
        .select_related("membership__user")
        .first()
    )
    if person is None or not services.can_set_for(access, person):
        raise Http404(_("There is no such person here."))
    own = access.membership is not None and person.membership_id == access.membership.pk
    return _page(request, access, person, own=own)


def _page(request: HttpRequest, access: Access, person: Person, *, own: bool) -> HttpResponse:
    stored = selectors.stored_choices(person)
    contact = selectors.contact_of(person)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        kinds=selectors.kinds_for(person),
        channels=selectors.channels_for(access.community),
        current={key: Frequency(p.frequency) for key, p in stored.items()},
        contact=contact,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_save(
                access=access,
                person=person,
                choices=form.choices(),
                contact=form.contact(contact),
            )
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            if own:
                messages.success(request, _("Your notification settings are saved."))
            else:
                messages.success(
                    request,
                    _("Notification settings for %(name)s are saved.")
                    % {"name": person.display_name},
                )
            return redirect(request.path)
    # Who else set what: the latest choice for each kind made by someone other than the person.
    set_by_others: dict[str, Preference] = {}
    for (kind, _channel), choice in sorted(stored.items(), key=lambda item: item[1].updated_at):
        if choice.set_by is not None and choice.set_by_id != person.membership_id:
            set_by_others[kind] = choice
    return render(
        request,
        "notifications/preferences.html",
        {
            "access": access,
            "person": person,
            "own": own,
            "form": form,
            "set_by_others": set_by_others,
            "contact": contact,
            "contact_set_by_other": (
                contact is not None
                and contact.set_by is not None
                and contact.set_by_id != person.membership_id
            ),
            "addresses": selectors.addresses_of(person, contact),
        },
        status=400 if form.errors else 200,
    )
