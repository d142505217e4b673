from django.urls import path

from ginnel.timebank import views

app_name = "timebank"

urlpatterns = [
    path("", views.listings, name="listings"),
    path("new/<str:kind>/", views.listing_new, name="listing_new"),
    path("listings/<int:listing_id>/", views.listing_detail, name="listing"),
    path("listings/<int:listing_id>/edit/", views.listing_edit, name="listing_edit"),
    path("listings/<int:listing_id>/close/", views.listing_close, name="listing_close"),
    path("mine/", views.mine, name="mine"),
    path("record/", views.exchange_record, name="record"),
    path("exchanges/<int:exchange_id>/", views.exchange_detail, name="exchange"),
    path("exchanges/<int:exchange_id>/act/", views.exchange_act, name="exchange_act"),
    path(
        "exchanges/<int:exchange_id>/complete/", views.exchange_complete, name="exchange_complete"
    ),
    path("exchanges/<int:exchange_id>/reverse/", views.exchange_reverse, name="exchange_reverse"),
    path("exchanges/<int:exchange_id>/decline-hours/", views.claim_decline, name="claim_decline"),
    path("exchanges/<int:exchange_id>/reject-hours/", views.claim_reject, name="claim_reject"),
    path("exchanges/<int:exchange_id>/thank/", views.exchange_thank, name="exchange_thank"),
    path("exchanges/<int:exchange_id>/thanks-shown/", views.thank_you_show, name="thank_you_show"),
    path("statement/", views.statement, name="statement"),
    path("statement.csv", views.statement, {"fmt": "csv"}, name="statement_csv"),
    path("statement.pdf", views.statement, {"fmt": "pdf"}, name="statement_pdf"),
    path("people/<int:person_id>/statement/", views.statement, name="person_statement"),
    path(
        "people/<int:person_id>/statement.csv",
        views.statement,
        {"fmt": "csv"},
        name="person_statement_csv",
    ),
    path(
        "people/<int:person_id>/statement.pdf",
        views.statement,
        {"fmt": "pdf"},
        name="person_statement_pdf",
    ),
    path("people/<int:person_id>/safeguarding/", views.safeguarding, name="safeguarding"),
    path("donate/", views.donate, name="donate"),
    path("people/search/<str:form_key>/", views.person_search, name="person_search"),
    path("coordinate/", views.coordinate, name="coordinate"),
    path("report/", views.report, name="report"),
    path("categories/", views.categories, name="categories"),
    path("categories/<int:category_id>/", views.category_edit, name="category_edit"),
    path("categories/<int:category_id>/retire/", views.category_retire, name="category_retire"),
    path("report.csv", views.report, {"fmt": "csv"}, name="report_csv"),
]
