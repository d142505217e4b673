"""The permission matrix: who may open which page of Ginnel, written down as the spec.

Every URL pattern of ``ginnel.urls`` has an entry (``"namespace:name"``) saying
what a GET answers each of eight visitors (:data:`ROLES`), with this
community's address and ids of this community's objects:

- ``anonymous``: nobody logged in;
- ``member``: a plain member, and the person the objects in the address belong
  to (the referral is about them, the listing, exchange, goal, notification
  are theirs, and ``person_id`` is theirs);
- ``coordinator``, ``link_worker`` (who works that referral), ``org_editor``
  (who edits for that organisation), ``analyst``, ``administrator``: members
  of this community holding that one role; the org editor and the analyst
  also stand for "another member" on the member's own things;
- ``outsider``: an administrator of another community.

The answers come from what each page is for (``docs/*.md`` and
``ROLE_PERMISSIONS`` in ``ginnel/communities/permissions.py``), not from what
the code answered. :func:`needs` writes the usual row for a page behind one
permission; keyword arguments name the visitors who get something else.
``# TODO(review)`` marks rows that record the current answer where the right
one is not settled.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from ginnel.communities.models import Role
from ginnel.communities.permissions import ROLE_PERMISSIONS, Perm


class Answer(enum.StrEnum):
    OK = "200"
    LOGIN = "302 to log in"
    REDIRECT = "302 elsewhere"
    OK_OR_REDIRECT = "200, or 302 on to a form"
    UNAUTHORISED = "401"  # an API: log in, or send a token
    DENIED = "403"
    MISSING = "404"
    NOT_ALLOWED = "405"


OK = Answer.OK
LOGIN = Answer.LOGIN
REDIRECT = Answer.REDIRECT
OK_OR_REDIRECT = Answer.OK_OR_REDIRECT
UNAUTHORISED = Answer.UNAUTHORISED
DENIED = Answer.DENIED
MISSING = Answer.MISSING
NOT_ALLOWED = Answer.NOT_ALLOWED

ROLES = (
    "anonymous",
    "member",
    "coordinator",
    "link_worker",
    "org_editor",
    "analyst",
    "administrator",
    "outsider",
)
_STAFF = {
    "member": Role.MEMBER,
    "coordinator": Role.COORDINATOR,
    "link_worker": Role.LINK_WORKER,
    "org_editor": Role.ORG_EDITOR,
    "analyst": Role.ANALYST,
    "administrator": Role.ADMINISTRATOR,
}

# Not walked: Django's admin has its own staff login (is_staff), outside the
# community roles; the favicon is a permanent redirect to a static file.
SKIPPED_PREFIXES = ("admin/", "favicon.ico")


@dataclass(frozen=True)
class Expect:
    answers: dict[str, Answer]
    # A part of the address -> the name of the value to put there (see World in
    # the test), when it is not the part's own name ("pk" of a token, "token" of a feed).
    parts: dict[str, str] = field(default_factory=dict)
    query: str = ""  # added to the address ("?field=other" for a picker's search)


def needs(
    perm: Perm,
    *,
    parts: dict[str, str] | None = None,
    query: str = "",
    but: dict[str, Answer] | None = None,
    **others: Answer,
) -> Expect:
    """A community page behind ``perm``: log in first, then 403 without ``perm``.

    Outsiders (members of another community) get 403 like a member without
    the permission; ``but`` (a shared set) and ``others`` name visitors who get
    something else.
    """
    answers = {"anonymous": LOGIN, "outsider": DENIED}
    for name, role in _STAFF.items():
        answers[name] = OK if perm in ROLE_PERMISSIONS[role] else DENIED
    return _with(answers, parts, query, {**(but or {}), **others})


def action(perm: Perm, *, parts: dict[str, str] | None = None, **others: Answer) -> Expect:
    """A button's address (POST only): 405 to a GET from whoever may press it, else as ``needs``."""
    found = needs(perm, parts=parts)
    answers = {r: NOT_ALLOWED if a == OK else a for r, a in found.answers.items()}
    return _with(answers, parts, "", others)


def everyone(
    answer: Answer, *, parts: dict[str, str] | None = None, query: str = "", **others: Answer
) -> Expect:
    """The same answer for every visitor (public pages, token-only addresses)."""
    return _with(dict.fromkeys(ROLES, answer), parts, query, others)


def _with(
    answers: dict[str, Answer],
    parts: dict[str, str] | None,
    query: str,
    others: dict[str, Answer],
) -> Expect:
    unknown = set(others) - set(ROLES)
    assert not unknown, f"not a visitor: {sorted(unknown)}"
    return Expect(answers={**answers, **others}, parts=parts or {}, query=query)


# Shorthands for rows about one person's things (see the member in the module docstring).
_NOT_THEIRS = {"link_worker": MISSING, "org_editor": MISSING, "analyst": MISSING}
_CASE = {"member": MISSING, "org_editor": MISSING, "analyst": MISSING}
_ORUK = {"anonymous": UNAUTHORISED, "outsider": DENIED}


MATRIX: dict[str, Expect] = {
    # --- Timebank (docs/timebank.md): every member trades; coordinators see everyone's.
    "timebank:listings": needs(Perm.USE_TIMEBANK),
    "timebank:listing_new": needs(Perm.USE_TIMEBANK),
    "timebank:listing": needs(Perm.USE_TIMEBANK),
    # Only the owner edits a listing; to anyone else it is not there.
    # TODO(review): should a coordinator be able to edit (or at least close) a member's listing?
    "timebank:listing_edit": needs(
        Perm.USE_TIMEBANK,
        coordinator=MISSING,
        link_worker=MISSING,
        org_editor=MISSING,
        analyst=MISSING,
        administrator=MISSING,
    ),
    "timebank:listing_close": action(Perm.USE_TIMEBANK),
    "timebank:mine": needs(Perm.USE_TIMEBANK),
    "timebank:record": needs(Perm.USE_TIMEBANK),
    # An exchange is seen by its two people and by coordinators.
    "timebank:exchange": needs(Perm.USE_TIMEBANK, but=_NOT_THEIRS),
    "timebank:exchange_act": action(Perm.USE_TIMEBANK),
    "timebank:exchange_complete": action(Perm.USE_TIMEBANK),
    "timebank:exchange_reverse": action(Perm.COORDINATE_TIMEBANK),
    "timebank:claim_decline": action(Perm.USE_TIMEBANK),
    "timebank:claim_reject": action(Perm.COORDINATE_TIMEBANK),
    "timebank:exchange_thank": action(Perm.USE_TIMEBANK),
    "timebank:thank_you_show": action(Perm.USE_TIMEBANK),
    "timebank:statement": needs(Perm.USE_TIMEBANK),
    "timebank:statement_csv": needs(Perm.USE_TIMEBANK),
    "timebank:statement_pdf": needs(Perm.USE_TIMEBANK),
    # Someone's statement: the person and coordinators.
    "timebank:person_statement": needs(Perm.USE_TIMEBANK, but=_NOT_THEIRS),
    "timebank:person_statement_csv": needs(Perm.USE_TIMEBANK, but=_NOT_THEIRS),
    "timebank:person_statement_pdf": needs(Perm.USE_TIMEBANK, but=_NOT_THEIRS),
    "timebank:safeguarding": needs(Perm.COORDINATE_TIMEBANK),
    "timebank:donate": needs(Perm.USE_TIMEBANK),
    "timebank:person_search": needs(Perm.USE_TIMEBANK, query="?field=other"),
    "timebank:coordinate": needs(Perm.COORDINATE_TIMEBANK),
    "timebank:report": needs(Perm.COORDINATE_TIMEBANK),
    "timebank:categories": needs(Perm.MANAGE_COMMUNITY),
    "timebank:category_edit": needs(Perm.MANAGE_COMMUNITY),
    "timebank:category_retire": action(Perm.MANAGE_COMMUNITY),
    "timebank:report_csv": needs(Perm.COORDINATE_TIMEBANK),
    # --- Network (docs/network.md): coordinators and analysts.
    "network:dashboard": needs(Perm.VIEW_NETWORK),
    "network:csv": needs(Perm.VIEW_NETWORK),
    "network:graphml": needs(Perm.VIEW_NETWORK),
    # --- Suggestions (docs/matching.md): one's own; introductions are brokered by coordinators.
    "matching:dismiss": action(Perm.VIEW_COMMUNITY),
    "matching:hidden": needs(Perm.VIEW_COMMUNITY),
    "matching:restore": action(Perm.VIEW_COMMUNITY),
    "matching:introduce": action(Perm.VIEW_COMMUNITY),
    "matching:introductions": needs(Perm.COORDINATE_TIMEBANK),
    "matching:introduction_decide": action(Perm.COORDINATE_TIMEBANK),
    "matching:my_introductions": needs(Perm.VIEW_COMMUNITY),
    "matching:block": action(Perm.VIEW_COMMUNITY),
    "matching:unblock": action(Perm.VIEW_COMMUNITY),
    # --- Directory (docs/directory.md): members read; editors edit their organisations'
    # entries, coordinators review any.
    "directory:search": needs(Perm.VIEW_COMMUNITY),
    "directory:service": needs(Perm.VIEW_COMMUNITY),
    "directory:saved": needs(Perm.VIEW_COMMUNITY),
    "directory:save": action(Perm.VIEW_COMMUNITY),
    "directory:unsave": action(Perm.VIEW_COMMUNITY),
    "directory:manage_organisations": needs(Perm.EDIT_DIRECTORY),
    "directory:manage_organisation_new": needs(Perm.REVIEW_DIRECTORY),
    "directory:manage_organisation": needs(Perm.EDIT_DIRECTORY),
    "directory:manage_organisation_edit": needs(Perm.EDIT_DIRECTORY),
    "directory:manage_organisation_editors": needs(Perm.REVIEW_DIRECTORY),
    "directory:manage_service_new": needs(Perm.EDIT_DIRECTORY),
    "directory:manage_service_edit": needs(Perm.EDIT_DIRECTORY),
    "directory:manage_service_reviewed": action(Perm.EDIT_DIRECTORY),
    "directory:review_queue": needs(Perm.REVIEW_DIRECTORY),
    "directory:calendar": needs(Perm.VIEW_COMMUNITY),
    "directory:clashes": needs(Perm.EDIT_DIRECTORY),
    "directory:feed_reset": action(Perm.REVIEW_DIRECTORY),
    "directory:event": needs(Perm.VIEW_COMMUNITY),
    "directory:event_edit": needs(Perm.EDIT_DIRECTORY),
    "directory:event_cancel": needs(Perm.EDIT_DIRECTORY),
    "directory:event_new": needs(Perm.EDIT_DIRECTORY),
    # Calendar feeds: calendar apps cannot log in; the secret token in the address is the key.
    "directory:feed_community": everyone(OK, parts={"token": "feed_token"}),
    "directory:feed_organisation": everyone(OK, parts={"token": "feed_token"}),
    "directory:feed_term": everyone(OK, parts={"token": "feed_token"}),
    "directory:themes": needs(Perm.MANAGE_COMMUNITY),
    "directory:theme": needs(Perm.MANAGE_COMMUNITY),
    "directory:theme_retire": action(Perm.MANAGE_COMMUNITY),
    "directory:theme_restore": action(Perm.MANAGE_COMMUNITY),
    "directory:person_organisations": needs(Perm.REVIEW_DIRECTORY),
    # --- Referrals (docs/referrals.md): special category data. Only the person, their
    # link worker and coordinators (ALLOCATE_REFERRALS) read a referral; analysts see counts.
    "referrals:caseload": needs(
        Perm.VIEW_COMMUNITY, member=DENIED, org_editor=DENIED, analyst=DENIED
    ),
    "referrals:refer_someone": needs(Perm.REFER),
    "referrals:refer_me": needs(Perm.REFER),
    "referrals:refer_person_search": needs(Perm.REFER, query="?field=person"),
    # "Sent": only for whoever sent that referral (none of these visitors did).
    "referrals:refer_sent": needs(
        Perm.REFER,
        member=MISSING,
        coordinator=MISSING,
        link_worker=MISSING,
        org_editor=MISSING,
        analyst=MISSING,
        administrator=MISSING,
    ),
    # Pages for people at a referring organisation (a Referrer login, not a membership).
    "referrals:refer_from_organisation": everyone(DENIED, anonymous=LOGIN),
    "referrals:refer_from_organisation_sent": everyone(DENIED, anonymous=LOGIN),
    # The staff case page: link worker and coordinators; the person reads theirs under "mine".
    "referrals:case": needs(Perm.VIEW_COMMUNITY, but=_CASE),
    "referrals:case_accept": action(Perm.VIEW_COMMUNITY),
    "referrals:case_decline": action(Perm.VIEW_COMMUNITY),
    "referrals:case_redirect": action(Perm.VIEW_COMMUNITY),
    "referrals:case_contact": action(Perm.VIEW_COMMUNITY),
    "referrals:case_conversation": action(Perm.VIEW_COMMUNITY),
    "referrals:case_follow_up": action(Perm.VIEW_COMMUNITY),
    "referrals:case_follow_up_done": action(Perm.VIEW_COMMUNITY),
    "referrals:case_close": action(Perm.VIEW_COMMUNITY),
    "referrals:case_reassign": action(Perm.VIEW_COMMUNITY),
    "referrals:case_correct": action(Perm.VIEW_COMMUNITY),
    # Wellbeing answers: staff record them; the person is sent to their own page.
    "referrals:wellbeing": needs(Perm.VIEW_COMMUNITY, but={**_CASE, "member": REDIRECT}),
    "referrals:wellbeing_record": needs(Perm.VIEW_COMMUNITY, but={**_CASE, "member": REDIRECT}),
    "referrals:mine": needs(Perm.VIEW_COMMUNITY),
    "referrals:mine_answer": needs(
        Perm.VIEW_COMMUNITY,
        member=OK_OR_REDIRECT,
        coordinator=MISSING,
        link_worker=MISSING,
        org_editor=MISSING,
        analyst=MISSING,
        administrator=MISSING,
    ),
    "referrals:connections": needs(Perm.VIEW_COMMUNITY, but=_CASE),
    "referrals:connection_record": action(Perm.VIEW_COMMUNITY),
    "referrals:connection_outcome": action(Perm.VIEW_COMMUNITY),
    "referrals:connection_propose": needs(
        Perm.VIEW_COMMUNITY, but=_CASE, parts={"listing_id": "proposed_listing_id"}
    ),
    # Letters about the person: the person may read what was written about them.
    "referrals:letters": needs(Perm.VIEW_COMMUNITY, org_editor=MISSING, analyst=MISSING),
    "referrals:letter": needs(
        Perm.VIEW_COMMUNITY,
        org_editor=MISSING,
        analyst=MISSING,
        parts={"event_id": "letter_id"},
    ),
    "referrals:letter_pdf": needs(
        Perm.VIEW_COMMUNITY,
        org_editor=MISSING,
        analyst=MISSING,
        parts={"event_id": "letter_id"},
    ),
    "referrals:referrer_home": everyone(DENIED, anonymous=LOGIN),
    "referrals:referrer_letter": everyone(DENIED, anonymous=LOGIN, parts={"event_id": "letter_id"}),
    "referrals:referrer_letter_pdf": everyone(
        DENIED, anonymous=LOGIN, parts={"event_id": "letter_id"}
    ),
    "referrals:allocate": needs(Perm.ALLOCATE_REFERRALS),
    "referrals:give": action(Perm.ALLOCATE_REFERRALS),
    "referrals:move": action(Perm.ALLOCATE_REFERRALS),
    "referrals:settings": needs(Perm.ALLOCATE_REFERRALS),
    "referrals:reason_retire": action(Perm.ALLOCATE_REFERRALS),
    "referrals:questionnaire_switch": action(Perm.MANAGE_COMMUNITY),
    "referrals:organisations": needs(Perm.ALLOCATE_REFERRALS),
    # Its <organisation_id> is a referring organisation's, not a directory organisation's.
    "referrals:organisation": needs(
        Perm.ALLOCATE_REFERRALS, parts={"organisation_id": "referring_organisation_id"}
    ),
    "referrals:report": needs(Perm.VIEW_REFERRAL_COUNTS),
    "referrals:report_csv": needs(Perm.VIEW_REFERRAL_COUNTS),
    "referrals:tokens": needs(Perm.ALLOCATE_REFERRALS),
    "referrals:token_revoke": action(Perm.ALLOCATE_REFERRALS, parts={"pk": "intake_token_id"}),
    # --- Notifications (docs/notifications.md): one's own inbox; coordinators see failures.
    "notifications:inbox": needs(Perm.VIEW_COMMUNITY),
    "notifications:read_all": action(Perm.VIEW_COMMUNITY),
    "notifications:open": needs(
        Perm.VIEW_COMMUNITY,
        member=REDIRECT,
        coordinator=MISSING,
        link_worker=MISSING,
        org_editor=MISSING,
        analyst=MISSING,
        administrator=MISSING,
    ),
    "notifications:read": action(Perm.VIEW_COMMUNITY),
    "notifications:preferences": needs(Perm.EDIT_OWN_RECORD),
    "notifications:person_preferences": needs(Perm.RECORD_PERSON),
    "notifications:failed": needs(Perm.COORDINATE_TIMEBANK),
    "notifications:failed_retry": action(Perm.COORDINATE_TIMEBANK),
    # Unsubscribe from an email: the signed token is the key; no login.
    "notifications_public:unsubscribe": everyone(OK, parts={"token": "unsubscribe_token"}),
    # --- ORUK read API (docs/directory.md "Who may read"): members, logged in; 401 for
    # nobody, 403 for another community's people (unless the community publishes it).
    "oruk:index": needs(Perm.VIEW_COMMUNITY, but=_ORUK),
    "oruk:openapi": needs(Perm.VIEW_COMMUNITY, but=_ORUK),
    "oruk:services": needs(Perm.VIEW_COMMUNITY, but=_ORUK),
    "oruk:service": needs(Perm.VIEW_COMMUNITY, but=_ORUK, parts={"id": "oruk_service"}),
    "oruk:service_at_locations": needs(Perm.VIEW_COMMUNITY, but=_ORUK),
    "oruk:service_at_location": needs(
        Perm.VIEW_COMMUNITY, but=_ORUK, parts={"id": "oruk_service_at_location"}
    ),
    "oruk:taxonomies": needs(Perm.VIEW_COMMUNITY, but=_ORUK),
    "oruk:taxonomy": needs(Perm.VIEW_COMMUNITY, but=_ORUK, parts={"id": "oruk_taxonomy"}),
    "oruk:taxonomy_terms": needs(Perm.VIEW_COMMUNITY, but=_ORUK),
    "oruk:taxonomy_term": needs(Perm.VIEW_COMMUNITY, but=_ORUK, parts={"id": "oruk_taxonomy_term"}),
    # --- FHIR intake: a referring system's bearer token, never a login.
    "fhir:service_requests": everyone(NOT_ALLOWED),  # POST only
    "fhir:service_request": everyone(UNAUTHORISED, parts={"pk": "fhir_referral"}),
    "fhir:process_message": everyone(NOT_ALLOWED),  # POST only
    # --- People (docs/strengths.md): one's own record; coaches (link workers,
    # coordinators) for the people they support.
    "people:goals": needs(Perm.EDIT_OWN_RECORD),
    "people:notes": needs(Perm.EDIT_OWN_RECORD),
    "people:consents": needs(Perm.EDIT_OWN_RECORD),
    "people:strengths": needs(
        Perm.EDIT_OWN_RECORD,
        member=OK_OR_REDIRECT,
        coordinator=OK_OR_REDIRECT,
        link_worker=OK_OR_REDIRECT,
        org_editor=OK_OR_REDIRECT,
        analyst=OK_OR_REDIRECT,
        administrator=OK_OR_REDIRECT,
    ),
    "people:strengths_step": needs(Perm.EDIT_OWN_RECORD, parts={"step": "strengths_step"}),
    "people:profile": needs(Perm.EDIT_OWN_RECORD),
    "people:then_and_now": needs(Perm.EDIT_OWN_RECORD),
    "people:strengths_again": action(Perm.EDIT_OWN_RECORD),
    # "About" a member: members see each other's; one's own goes to one's profile.
    "people:about": needs(Perm.VIEW_COMMUNITY, member=REDIRECT),
    "people:person_strengths": needs(
        Perm.EDIT_OWN_RECORD,
        member=REDIRECT,
        coordinator=REDIRECT,
        link_worker=REDIRECT,
        administrator=REDIRECT,
        org_editor=MISSING,
        analyst=MISSING,
    ),
    "people:person_strengths_step": needs(
        Perm.EDIT_OWN_RECORD,
        org_editor=MISSING,
        analyst=MISSING,
        parts={"step": "strengths_step"},
    ),
    "people:goal": needs(Perm.EDIT_OWN_RECORD, org_editor=MISSING, analyst=MISSING),
    "people:step_tick": action(Perm.EDIT_OWN_RECORD),
    "people:person_goals": needs(Perm.EDIT_OWN_RECORD, org_editor=MISSING, analyst=MISSING),
    "people:note_add": action(Perm.COACH),
    # --- Communities (docs/architecture.md): joining is public; members are sent home.
    "communities:join": everyone(REDIRECT, anonymous=OK, outsider=OK),
    "communities:join_invited": everyone(
        REDIRECT, anonymous=OK, outsider=OK, parts={"token": "join_token"}
    ),
    "communities:me": needs(Perm.EDIT_OWN_RECORD),
    "communities:leave": needs(Perm.VIEW_COMMUNITY),
    "communities:members": needs(Perm.VIEW_MEMBERS),
    "communities:member_new": needs(Perm.RECORD_PERSON),
    "communities:member_roles": needs(Perm.MANAGE_ROLES),
    # The member already has a login of their own: nothing to claim.
    "communities:claim_invitation": needs(
        Perm.RECORD_PERSON, coordinator=MISSING, link_worker=MISSING, administrator=MISSING
    ),
    "communities:applications": needs(Perm.DECIDE_APPLICATIONS),
    "communities:application_decide": action(Perm.DECIDE_APPLICATIONS),
    "communities:invitations": needs(Perm.INVITE),
    "communities:settings": needs(Perm.MANAGE_COMMUNITY),
    "communities:neighbourhood_add": action(Perm.MANAGE_COMMUNITY),
    "communities:neighbourhood_edit": needs(Perm.MANAGE_COMMUNITY),
    "communities:neighbourhood_retire": action(Perm.MANAGE_COMMUNITY),
    # --- Subject access (this file's "Subject access" section): one's own copy; a
    # copy for someone else by coordinators and administrators only.
    "audit:my_data": needs(Perm.EDIT_OWN_RECORD),
    "audit:my_data_json": needs(Perm.EDIT_OWN_RECORD),
    "audit:my_data_view": needs(Perm.EDIT_OWN_RECORD),
    "audit:person_data": needs(Perm.ALLOCATE_REFERRALS),
    # --- Accounts and the way in.
    # Home: sends a member of one community to it; lists them for someone in two
    # (the demo's coordinator and administrator are also in its carers' network).
    "web:home": everyone(REDIRECT, anonymous=OK, coordinator=OK, administrator=OK),
    # The switcher needs ?community=<one of yours>; a bare GET is refused.
    "web:switch": everyone(DENIED, anonymous=LOGIN),
    "web:login": everyone(REDIRECT, anonymous=OK),
    "web:logout": everyone(NOT_ALLOWED),  # POST only
    "web:password_reset": everyone(OK),
    "web:password_reset_done": everyone(OK),
    # Django's reset link moves its token into the session, then on to the form.
    "web:password_reset_confirm": everyone(REDIRECT, parts={"token": "reset_token"}),
    "web:password_reset_complete": everyone(OK),
    "web:password_change": everyone(OK, anonymous=LOGIN),
    "web:password_change_done": everyone(OK, anonymous=LOGIN),
    "web:email_check_send": everyone(NOT_ALLOWED),  # POST only
    "web:email_check": everyone(OK, parts={"token": "email_check_token"}),
    "web:community_home": needs(Perm.VIEW_COMMUNITY),
    "web:welcome": needs(Perm.VIEW_COMMUNITY),
    "web:welcome_step": needs(Perm.VIEW_COMMUNITY),
    "web:person": needs(Perm.VIEW_MEMBERS),
    "web:insights": needs(Perm.VIEW_INSIGHTS),
}
