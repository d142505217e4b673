"""Referral pages: the letters part (included by ``ginnel.referrals.urls``).

Staff who may read a referral see its letters under ``<pk>/letters/``; someone at
the referring organisation, with a login, sees their organisation's referrals and
letters under ``from-organisation/``.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from ginnel.referrals import views_letters

urlpatterns: list[URLPattern] = [
    path("<int:pk>/letters/", views_letters.letters, name="letters"),
    path("<int:pk>/letters/<int:event_id>/", views_letters.letter, name="letter"),
    path("<int:pk>/letters/<int:event_id>.pdf", views_letters.letter_pdf, name="letter_pdf"),
    path("from-organisation/", views_letters.referrer_home, name="referrer_home"),
    path(
        "from-organisation/<int:pk>/letters/<int:event_id>/",
        views_letters.referrer_letter,
        name="referrer_letter",
    ),
    path(
        "from-organisation/<int:pk>/letters/<int:event_id>.pdf",
        views_letters.referrer_letter_pdf,
        name="referrer_letter_pdf",
    ),
]
