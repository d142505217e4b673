"""Where the tests find the real reference data (Open Referral datasets).

The datasets live beside the repository, in ``../shared/data`` (see its
README); ``GINNEL_SHARED_DATA`` points elsewhere when a checkout is not there.
"""

from __future__ import annotations

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


def shared_data() -> Path:
    """The folder holding ``ilao-hsds-1.1/`` and ``oruk-3.0/``; fails clearly when missing."""
    found = Path(os.environ.get("GINNEL_SHARED_DATA") or REPOSITORY.parent / "shared" / "data")
    if not (found / "ilao-hsds-1.1").is_dir():
        raise FileNotFoundError(
            f"The reference datasets are not at {found}: set GINNEL_SHARED_DATA to the folder "
            "that holds ilao-hsds-1.1/ and oruk-3.0/."
        )
    return found


SHARED_DATA = shared_data()
