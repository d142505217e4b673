"""What happens to a membership, for the capabilities that want to hear of it.

``communities`` imports no capability, so it announces with Django signals and
the listeners (notifications, for one) connect in their own ``ready()``. Each
is sent inside the use-case's transaction, so whatever a receiver writes is
committed, or not, with the change.

- ``application_received(sender=Membership, membership=…)``: someone applied to join;
- ``application_decided(sender=Membership, membership=…, approved=…, decided_by=…)``:
  a coordinator approved or declined an application (``decided_by`` is their Membership).
"""

from __future__ import annotations

from django.dispatch import Signal

application_received = Signal()
application_decided = Signal()
