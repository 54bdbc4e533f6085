"""Small named errors, translated to a user message at the edge (pages, CLI).

An error carries a `Text` (core.base.i18n): `InvalidInput("orders.no_items")` or `InvalidInput("sql.name_too_long",
limit=60)`. str(error) is its English message; a page shows `error.text.render(language)`.
"""

from core.base.i18n import Text


class ChotdonError(Exception):
    """Base of every error a user may see."""

    def __init__(self, message, /, **params):
        self.text = message if isinstance(message, Text) else Text(message, **params)
        super().__init__(str(self.text))


class NotFound(ChotdonError):
    """A record that the caller named does not exist."""


class InvalidInput(ChotdonError):
    """Input that is refused as a whole; nothing was changed."""


class ConcurrentChange(ChotdonError):
    """Someone else changed the record since it was read; nothing was saved."""


class IncompleteOrder(ChotdonError):
    """An order lacks what an action needs; `missing` lists each thing (Texts)."""

    def __init__(self, order_code: str, action_label, missing: list):
        self.order_code = order_code
        self.action_label = action_label
        self.missing = list(missing)
        super().__init__("errors.incomplete_order", action=action_label, code=order_code, missing=self.missing)


class ActionNotAllowed(ChotdonError):
    """The order's status does not allow this action."""


class AccessDenied(ChotdonError):
    """The logged-in user's role does not allow this."""


class LoginRefused(ChotdonError):
    """A login that did not succeed: a wrong password, a wait after several, or a locked account."""


def said(error: Exception):
    """An error's message for people: its Text when it has one (it renders in the reader's language), else its
    own words."""
    if isinstance(error, ChotdonError):
        return error.text
    text = getattr(error, "text", None)
    if isinstance(text, Text):
        return text
    message = error.args[0] if len(error.args) == 1 else None
    return message if isinstance(message, Text) else str(error)


def localize(value, language: str):
    """Any value a page shows: a Text in `language`, an error by its message, anything else unchanged."""
    if isinstance(value, ChotdonError):
        value = value.text
    if isinstance(value, Text):
        return value.render(language)
    return value
