"""Small named errors, translated to a user message at the edge (pages, CLI)."""


class ChotdonError(Exception):
    """Base of every error a user may see; str(error) is the message for them."""


class NotFound(ChotdonError):
    """A record that the caller named does not exist."""


class InvalidInput(ChotdonError):
    """Input that is refused as a whole; nothing was changed."""


class ConcurrentChange(ChotdonError):
    """Someone else changed the record since it was read; nothing was saved."""


class IncompleteOrder(ChotdonError):
    """An order lacks what an action needs; `missing` lists each thing, in words."""

    def __init__(self, order_code: str, action_label: str, missing: list[str]):
        self.order_code = order_code
        self.missing = list(missing)
        super().__init__(
            f"{action_label}: order {order_code} is not complete. Missing: " + "; ".join(self.missing) + "."
        )


class ActionNotAllowed(ChotdonError):
    """The order's status does not allow this action."""


class AccessDenied(ChotdonError):
    """The logged-in user's role does not allow this."""


class LoginRefused(ChotdonError):
    """A login that did not succeed: a wrong password, a wait after several, or a locked account."""
