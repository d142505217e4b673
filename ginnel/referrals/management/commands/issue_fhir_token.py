"""ginnel issue-fhir-token: a token for a referring organisation's system, from the command line."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ginnel.communities.models import Community
from ginnel.communities.permissions import access_for
from ginnel.errors import GinnelError
from ginnel.people.models import User
from ginnel.referrals.models import ReferringOrganisation
from ginnel.referrals.tokens import token_issue


class Command(BaseCommand):
    help = (
        "Issue a FHIR intake token for a referring organisation's system, as a coordinator of "
        "the community. The token is printed once; only its SHA-256 is kept."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("community", help="the community's slug, e.g. calder-vale")
        parser.add_argument(
            "--organisation", required=True, help="the organisation's name or ODS code"
        )
        parser.add_argument("--system", required=True, help="e.g. 'EMIS Web'")
        parser.add_argument(
            "--by", required=True, help="email of the coordinator the token is issued by"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        community = Community.objects.filter(slug=options["community"]).first()
        if community is None:
            raise CommandError(f"There is no community '{options['community']}'.")
        user = User.objects.filter(email__iexact=options["by"].strip()).first()
        if user is None:
            raise CommandError(f"There is no one with the email '{options['by']}'.")
        wanted = options["organisation"].strip()
        organisation = (
            ReferringOrganisation.objects.filter(community=community, name__iexact=wanted).first()
            or ReferringOrganisation.objects.filter(
                community=community, ods_code__iexact=wanted
            ).first()
        )
        if organisation is None:
            raise CommandError(f"There is no referring organisation '{wanted}' in this community.")
        try:
            issued = token_issue(
                access=access_for(user, community),
                organisation=organisation,
                label=options["system"],
            )
        except GinnelError as error:
            raise CommandError(error.message) from None
        self.stderr.write(
            f"Token for {issued.token.label} at {organisation.name}. "
            "Copy it now: it is shown only this once."
        )
        self.stdout.write(issued.secret)
