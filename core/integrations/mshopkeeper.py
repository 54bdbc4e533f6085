"""MISA MShopKeeper's open platform: the client behind Send to shop, and every MISA name Chotdon uses.

The names and paths come from integrators' clients (docs REFERENCE.md), not from MISA's own document, so each
one is a constant here: when the official document says otherwise, this module is the one place to correct.
Delivery policy (retries, lookups before re-creating) lives in core.services.outbox; this module only speaks MISA.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from core.base import config
from core.base.formatting import utc_now
from core.base.i18n import Text

# -- MISA's names ------------------------------------------------------------------------------------------------
APP_ID = "MShopKeeperOpenPlatform"
LOGIN_PATH = "/auth/api/Account/Login"
API_PATH = "/{environment}/api/v1/{resource}"
# Integrators disagree on where orders are created ("orders", "invoices/"): MISA's document decides.
ORDER_CREATE_RESOURCE = "orders"
# Asked before a retry that follows an answer that never came: lists orders filtered by their number.
ORDER_LOOKUP_RESOURCE = "orders/list"
BRANCHES_RESOURCE = "branchs/all"  # sic: MISA's spelling
# MISA does not say how long a token lives; integrators treat it as about an hour. Renewed early, and on 401.
TOKEN_LIFETIME_SECONDS = 50 * 60

ERROR_TYPES = {
    0: Text("mshopkeeper.error_type_0"),
    1: Text("mshopkeeper.error_type_1"),
    2: Text("mshopkeeper.error_type_2"),
    3: Text("mshopkeeper.error_type_3"),
    4: Text("mshopkeeper.error_type_4"),
    5: Text("mshopkeeper.error_type_5"),
    6: Text("mshopkeeper.error_type_6"),
    7: Text("mshopkeeper.error_type_7"),
    100: Text("mshopkeeper.error_type_100"),
    102: Text("mshopkeeper.error_type_102"),
}

# What each call is, in words: the request column of a push's tries, and the end of "MShopKeeper refused to ...".
LOGIN = Text("mshopkeeper.request_login")
CREATE_ORDER = Text("mshopkeeper.request_create_order")
LOOK_ORDER_UP = Text("mshopkeeper.request_look_order_up")
LIST_BRANCHES = Text("mshopkeeper.request_list_branches")
ERROR_SAME_REQUEST_RUNNING = 102
ERROR_INTERNAL = 100
# The error types that say MShopKeeper checked the request and turned it down before doing anything: a missing or
# empty parameter (1), an unknown shop (2) or AppID (3), a bad login signature (4), a page size (5) or date (6) out
# of range, the connection switched off by the shop (7). Only these prove that a create made nothing. An internal
# error (100), a type not in this list, or Success=false without a type may come after the order was stored.
CLEAR_REFUSALS = frozenset({1, 2, 3, 4, 5, 6, 7})


# -- errors ------------------------------------------------------------------------------------------------------
class MShopKeeperError(Exception):
    """An answer from MShopKeeper that is not a success; str(error) is for the shop (English), error.text renders
    in the reader's language (core.base.i18n.Text). What MISA itself wrote stays as MISA wrote it."""

    def __init__(self, text: Text):
        self.text = text
        super().__init__(str(text))


class _Answered(MShopKeeperError):
    """MShopKeeper answered Success=false with an error type (or none) and, maybe, its own message."""

    _key = "mshopkeeper.refused"

    def __init__(self, error_type, message: str | None, *, during: Text | str):
        self.error_type = error_type
        self.misa_message = (message or "").strip()
        meaning = ERROR_TYPES.get(error_type, Text("mshopkeeper.error_type_other"))
        shown_type = "?" if error_type is None else error_type
        if self.misa_message:
            text = Text(self._key + "_saying", during=during, message=self.misa_message, type=shown_type,
                        meaning=meaning)
        else:
            text = Text(self._key, during=during, meaning=meaning, type=shown_type)
        super().__init__(text)


class Refused(_Answered):
    """MShopKeeper answered Success=false with one of CLEAR_REFUSALS: the request was turned down and did nothing.
    Not retried by itself."""


class UnclearFailure(_Answered):
    """MShopKeeper answered Success=false, but not with a clear refusal: an internal error (100), an error type
    Chotdon does not know, or none. The request may have been carried out (a create may have stored the order)."""

    _key = "mshopkeeper.failed_unclear"

    @property
    def internal(self) -> bool:
        return self.error_type == ERROR_INTERNAL


class SameRequestRunning(MShopKeeperError):
    """Error type 102: MShopKeeper is still working on the same request; ask again later."""

    def __init__(self, message: str | None):
        self.misa_message = (message or "").strip()
        super().__init__(Text("mshopkeeper.same_request_saying", message=self.misa_message) if self.misa_message
                         else Text("mshopkeeper.same_request"))


class UnexpectedAnswer(MShopKeeperError):
    """An HTTP status other than success, or an answer that is not MISA's JSON envelope."""

    def __init__(self, response: httpx.Response, what: Text | str):
        self.response = response
        super().__init__(Text("mshopkeeper.unexpected_answer", what=what, code=response.status_code))


class LookupInconclusive(MShopKeeperError):
    """The lookup by order number did not prove that the order is absent (more matches than one page)."""


# -- settings ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Connection:
    base_url: str
    domain: str
    secret: str = field(repr=False)
    branch_id: str | None = None


def connection_from_settings() -> Connection | None:
    """The configured connection; None when CHOTDON_MSHOPKEEPER_URL, _DOMAIN or _SECRET is missing."""
    url = config.get("CHOTDON_MSHOPKEEPER_URL")
    domain = config.get("CHOTDON_MSHOPKEEPER_DOMAIN")
    secret = config.get("CHOTDON_MSHOPKEEPER_SECRET")
    if not (url and domain and secret):
        return None
    branch = (config.get("CHOTDON_MSHOPKEEPER_BRANCH") or "").strip() or None
    return Connection(base_url=url.strip().rstrip("/"), domain=domain.strip(), secret=secret, branch_id=branch)


def is_configured() -> bool:
    return connection_from_settings() is not None


# -- login -------------------------------------------------------------------------------------------------------
def login_time_text() -> str:
    now = utc_now()
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def signature_info(secret: str, domain: str, login_time: str) -> str:
    """Hex HMAC-SHA256, keyed by the shop's secret, of the JSON of {AppID, Domain, LoginTime} with sorted keys.

    Compact separators, as .NET and PHP serialise by default (MISA's side is .NET)."""
    signed = json.dumps({"AppID": APP_ID, "Domain": domain, "LoginTime": login_time}, sort_keys=True,
                        separators=(",", ":"), ensure_ascii=False)
    return hmac.new(secret.encode("utf-8"), signed.encode("utf-8"), hashlib.sha256).hexdigest()


def login_body(connection: Connection, login_time: str | None = None) -> dict:
    login_time = login_time or login_time_text()
    return {"Domain": connection.domain, "AppID": APP_ID, "LoginTime": login_time,
            "SignatureInfo": signature_info(connection.secret, connection.domain, login_time)}


@dataclass(frozen=True)
class Token:
    access_token: str = field(repr=False)
    company_code: str
    environment: str
    expires_at: float  # time.monotonic()


# One token per connection, shared by every thread of the process: logging in for every push would be slow and
# could trip MISA's "same request running" guard.
_tokens: dict[tuple[str, str, str], Token] = {}
_tokens_lock = threading.Lock()


def _token_key(connection: Connection) -> tuple[str, str, str]:
    return (connection.base_url, connection.domain, hashlib.sha256(connection.secret.encode()).hexdigest())


def known_tokens() -> list[str]:
    """The access tokens this process holds (core.base.redact scrubs them from what is stored and shown)."""
    with _tokens_lock:
        return [token.access_token for token in _tokens.values()]


def forget_tokens() -> None:
    with _tokens_lock:
        _tokens.clear()


# An exchange runs one HTTP request and gives back its response; the outbox passes one that records each
# request in outbox_attempts before it goes out.
Exchange = Callable[[str, Callable[[], httpx.Response]], httpx.Response]


def _direct(label: Text | str, send: Callable[[], httpx.Response]) -> httpx.Response:
    return send()


def _envelope(response: httpx.Response, what: Text | str) -> dict:
    if not response.is_success:
        raise UnexpectedAnswer(response, what)
    try:
        answer = response.json()
    except ValueError:
        raise UnexpectedAnswer(response, Text("mshopkeeper.what_not_json", what=what)) from None
    if not isinstance(answer, dict) or "Success" not in answer:
        raise UnexpectedAnswer(response, Text("mshopkeeper.what_no_envelope", what=what))
    return answer


def _check_success(answer: dict, during: Text | str):
    if answer.get("Success"):
        return answer.get("Data")
    error_type = answer.get("ErrorType")
    if error_type == ERROR_SAME_REQUEST_RUNNING:
        raise SameRequestRunning(answer.get("ErrorMessage"))
    # bool is an int: True must not pass for error type 1; "1" (a string) is not MISA's form either
    if type(error_type) is int and error_type in CLEAR_REFUSALS:
        raise Refused(error_type, answer.get("ErrorMessage"), during=during)
    raise UnclearFailure(error_type, answer.get("ErrorMessage"), during=during)


class Client:
    """Talks to one shop's MShopKeeper through an httpx.Client the caller owns (timeouts are the caller's)."""

    def __init__(self, connection: Connection, http: httpx.Client, *, exchange: Exchange | None = None):
        self.connection = connection
        self.http = http
        self.exchange = exchange or _direct

    # -- token -----------------------------------------------------------------------------------------------
    def login(self) -> Token:
        """A new token, always from MShopKeeper (Test connection uses this to check the settings now)."""
        url = self.connection.base_url + LOGIN_PATH
        body = login_body(self.connection)
        response = self.exchange(LOGIN, lambda: self.http.post(url, json=body))
        data = _check_success(_envelope(response, Text("mshopkeeper.what_login")),
                              Text("mshopkeeper.during_login")) or {}
        if not data.get("AccessToken") or not data.get("Environment"):
            raise UnexpectedAnswer(response, Text("mshopkeeper.what_login_incomplete"))
        token = Token(access_token=str(data["AccessToken"]), company_code=str(data.get("CompanyCode") or ""),
                      environment=str(data["Environment"]).strip("/"),
                      expires_at=time.monotonic() + TOKEN_LIFETIME_SECONDS)
        with _tokens_lock:
            _tokens[_token_key(self.connection)] = token
        return token

    def token(self) -> Token:
        with _tokens_lock:
            token = _tokens.get(_token_key(self.connection))
        if token is None or token.expires_at <= time.monotonic():
            token = self.login()
        return token

    def _forget_token(self, token: Token) -> None:
        with _tokens_lock:
            if _tokens.get(_token_key(self.connection)) is token:
                del _tokens[_token_key(self.connection)]

    # -- calls -----------------------------------------------------------------------------------------------
    def call(self, label: Text | str, resource: str, body: dict | list | None = None, *, content: bytes | None = None,
             method: str = "POST"):
        """One API call; returns its Data. A 401 gets one new login and one more go, as MISA asks."""
        for attempt in (1, 2):
            token = self.token()
            url = self.connection.base_url + API_PATH.format(environment=token.environment, resource=resource)
            headers = {"Authorization": f"Bearer {token.access_token}", "CompanyCode": token.company_code}
            if content is not None:
                headers["Content-Type"] = "application/json; charset=utf-8"
            response = self.exchange(label, lambda: self.http.request(
                method, url, headers=headers, content=content, json=body if content is None else None))  # noqa: B023 (sent at once)
            if response.status_code == 401 and attempt == 1:
                self._forget_token(token)
                continue
            return _check_success(_envelope(response, label), label)
        raise AssertionError("unreachable")

    def create_order(self, order_json: bytes) -> dict:
        """Creates the order (the frozen JSON the outbox holds); returns MISA's Data ({OrderId, OrderNo})."""
        data = self.call(CREATE_ORDER, ORDER_CREATE_RESOURCE, content=order_json)
        return data if isinstance(data, dict) else {}

    def find_order(self, order_no: str) -> dict | None:
        """The order with this OrderNo at MShopKeeper, or None when the answer proves there is none."""
        data = self.call(LOOK_ORDER_UP, ORDER_LOOKUP_RESOURCE, {"Page": 1, "Limit": 100, "OrderNo": order_no})
        if isinstance(data, list):
            rows = data
        elif isinstance(data, dict):
            rows = data.get("Data") or []
        else:
            rows = []
        for row in rows:
            if isinstance(row, dict) and str(row.get("OrderNo", "")).strip() == order_no:
                return row
        if len(rows) >= 100:
            # A full page without our number: MShopKeeper may have ignored the filter, so absence is not proven.
            raise LookupInconclusive(Text("mshopkeeper.lookup_inconclusive", number=order_no))
        return None

    def branches(self) -> list[dict]:
        data = self.call(LIST_BRANCHES, BRANCHES_RESOURCE, method="GET")
        return [row for row in (data or []) if isinstance(row, dict)]


# -- our order in MISA's words -----------------------------------------------------------------------------------
def order_json(snapshot: dict, *, branch_id: str | None) -> dict:
    """MShopKeeper's order from an order snapshot (core.records.snapshots.order_snapshot). Our order code is the OrderNo,
    which is what the lookup before a retry searches for. ProductCode is the item's SKU (MShopKeeper's code for
    it) when the owner filled one in, else the short code."""
    order, customer = snapshot["order"], snapshot["customer"]
    receiver, totals = snapshot["receiver"], snapshot["totals"]
    details = []
    for line in snapshot["lines"]:
        variant = ", ".join(v for v in (line.get("size"), line.get("color")) if v)
        details.append({
            "ProductCode": line.get("sku") or line["code"],
            "ProductName": line["name"] + (f" ({variant})" if variant else ""),
            "Quantity": line["qty"],
            "SellingPrice": line["unit_price"],
            "Amount": line["amount"],
        })
    body = {
        "OrderNo": order["code"],
        "OrderDate": order["updated_at"],
        "TotalAmount": totals["total"],
        "DiscountAmount": totals["discount"],
        "Customer": {"Name": customer["name"], "Tel": customer.get("phone") or receiver["phone"],
                     "Address": receiver["address"]},
        "OrderDetails": details,
        "OrderDelivery": {"Receiver": {"Name": receiver["name"], "Tel": receiver["phone"],
                                       "Address": receiver["address"]},
                          "DeliveryAmount": totals["shipping_fee"]},
    }
    if branch_id:
        body["BranchId"] = branch_id
    return body


def order_no(order: dict) -> str:
    return str(order["OrderNo"])


def remote_id(found: dict) -> str | None:
    value = found.get("OrderId") or found.get("Id")
    return None if value is None else str(value)


def differs(found: dict, ours: dict) -> Text | None:
    """Why an order MShopKeeper already has under our OrderNo is not ours (a reused database?); None if it is."""
    theirs = found.get("TotalAmount")
    if theirs is not None and round(float(theirs)) != int(ours["TotalAmount"]):
        return Text("mshopkeeper.total_differs", theirs=theirs, ours=ours["TotalAmount"])
    return None


# -- Test connection ---------------------------------------------------------------------------------------------
@dataclass
class ConnectionCheck:
    ok: bool
    message: Text  # a str (English) that renders in the reader's language
    company_code: str | None = None
    environment: str | None = None
    branches: list[tuple[str, str]] = field(default_factory=list)  # (id, name)
    millis: int = 0


def check_connection(connection: Connection | None = None, *, timeout: float = 15.0) -> ConnectionCheck:
    """Logs in now (never a cached token) and lists the branches; says what happened, in words."""
    connection = connection or connection_from_settings()
    if connection is None:
        return ConnectionCheck(False, Text("mshopkeeper.not_configured"))
    started = time.monotonic()
    try:
        with httpx.Client(timeout=timeout) as http:
            client = Client(connection, http)
            token = client.login()
            try:
                branches = [(str(b.get("Id", "")), str(b.get("Name") or b.get("BranchName") or ""))
                            for b in client.branches()]
            except (MShopKeeperError, httpx.HTTPError):
                branches = []  # the login is what this checks; the branch list is a help when it comes
    except (Refused, UnclearFailure) as error:
        return ConnectionCheck(False, Text("mshopkeeper.sentence", text=error.text), millis=_millis(started))
    except MShopKeeperError as error:
        return ConnectionCheck(False, Text("mshopkeeper.login_failed", error=error.text), millis=_millis(started))
    except httpx.HTTPError as error:
        return ConnectionCheck(False, Text("mshopkeeper.unreachable", url=connection.base_url,
                                           error=describe_http_error(error)), millis=_millis(started))
    millis = _millis(started)
    branch_note = ""
    if connection.branch_id:
        known = {b[0] for b in branches}
        if branches and connection.branch_id not in known:
            branch_note = Text("mshopkeeper.unknown_branch", branch=connection.branch_id)
    elif branches:
        branch_note = Text("mshopkeeper.no_branch_set")
    message = Text("mshopkeeper.logged_in", domain=connection.domain, millis=millis,
                   company=token.company_code or "?", environment=token.environment, branch_note=branch_note)
    return ConnectionCheck(True, message, token.company_code, token.environment, branches, millis)


def _millis(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def describe_http_error(error: httpx.HTTPError) -> Text:
    """A network error in words: what kind, and what the library said (as the library said it)."""
    kinds = {
        httpx.ConnectTimeout: "mshopkeeper.http_connect_timeout",
        httpx.ConnectError: "mshopkeeper.http_connect_error",
        httpx.ReadTimeout: "mshopkeeper.http_read_timeout",
        httpx.WriteTimeout: "mshopkeeper.http_write_timeout",
        httpx.RemoteProtocolError: "mshopkeeper.http_dropped",
        httpx.ReadError: "mshopkeeper.http_read_error",
        httpx.WriteError: "mshopkeeper.http_write_error",
    }
    for kind, key in kinds.items():
        if isinstance(error, kind):
            detail = str(error).strip()
            return Text("mshopkeeper.http_error_detail", what=Text(key), detail=detail) if detail else Text(key)
    return Text("mshopkeeper.http_error_other", kind=type(error).__name__, detail=str(error))
