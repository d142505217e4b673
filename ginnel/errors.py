"""Domain errors: raised by services when a rule is broken, shown to people as written."""


class GinnelError(Exception):
    """A rule of the domain was broken; the message is for the person who tried."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionRefused(GinnelError):
    """The person asking has no role that allows this."""
