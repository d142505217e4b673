"""The ``ginnel`` command: Django's management commands with Ginnel's settings.

``ginnel demo``, ``ginnel serve``, ``ginnel createcommunity`` and the rest are
management commands in the apps; this entry point only points Django at
Ginnel's settings module.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ginnel.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    # "ginnel import-hsds" runs the management command import_hsds.
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["ginnel", *args])


if __name__ == "__main__":
    main()
