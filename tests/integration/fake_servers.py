"""Real HTTP servers on 127.0.0.1 for the integration tests: a test MShopKeeper and a test OCM webhook receiver.

Both run http.server in a thread and can be told to misbehave: scripted faults (queue_faults) come first, then
a seeded random plan (random_faults). They keep what they received, so a test can count it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import socket
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Faults either server understands.
HTTP_500 = "500"
HTTP_503 = "503"  # with Retry-After
HTTP_429 = "429"  # with Retry-After
HTTP_408 = "408"
HTTP_502_LONG = "502-long"  # a proxy's error page, longer than anyone wants to keep
UNAUTHORIZED = "401"  # MShopKeeper also forgets the token, as when it expires in the middle of a run
SAME_REQUEST_RUNNING = "102"  # MShopKeeper's error type 102
DROP = "drop"  # the connection closes before anything is done
DONE_THEN_HANG = "done_then_hang"  # the request is carried out, then no answer until after the client gave up
DONE_THEN_DROP = "done_then_drop"  # the request is carried out, then the connection closes without an answer
# MShopKeeper stores the order, then answers Success=false: with error type 100 (an internal error; its message
# echoes the request's Authorization header, as a debugging server might), with a type Chotdon does not know, or
# with no type at all.
DONE_THEN_ERROR_100 = "done_then_error_100"
DONE_THEN_UNKNOWN_ERROR = "done_then_unknown_error"
DONE_THEN_NO_ERROR_TYPE = "done_then_no_error_type"


class _Server:
    def __init__(self, *, hang_seconds: float = 1.0, retry_after: str = "1"):
        self.hang_seconds = hang_seconds
        self.retry_after = retry_after
        self.lock = threading.RLock()
        self._scripted: dict[str, list[str]] = {}
        self._random: tuple[random.Random, dict[str, list[tuple[str, float]]]] | None = None
        self._release = threading.Event()
        self.faults_served: Counter = Counter()
        self.requests: list[tuple[str, str]] = []  # (kind, path)
        self._httpd: ThreadingHTTPServer | None = None

    # -- faults --------------------------------------------------------------------------------------------------
    def queue_faults(self, kind: str, *faults: str) -> None:
        """The next requests of this kind get these faults, in order."""
        with self.lock:
            self._scripted.setdefault(kind, []).extend(faults)

    def random_faults(self, seed: int, rates: dict[str, dict[str, float]]) -> None:
        """After the scripted ones, each request of a kind gets a fault with the given probabilities."""
        with self.lock:
            self._random = (random.Random(seed), {kind: list(plan.items()) for kind, plan in rates.items()})

    def stop_faults(self) -> None:
        with self.lock:
            self._scripted.clear()
            self._random = None

    def _fault_for(self, kind: str) -> str | None:
        with self.lock:
            scripted = self._scripted.get(kind)
            if scripted:
                fault = scripted.pop(0)
            elif self._random is not None and kind in self._random[1]:
                rng, plan = self._random
                draw, fault = rng.random(), None
                for name, rate in plan[kind]:
                    if draw < rate:
                        fault = name
                        break
                    draw -= rate
            else:
                fault = None
            if fault:
                self.faults_served[(kind, fault)] += 1
            return fault

    def release_hangs(self) -> None:
        self._release.set()

    # -- serving -------------------------------------------------------------------------------------------------
    def start(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

            def log_message(self, *args):  # quiet tests
                pass

            def do_GET(self):
                server._handle(self, "GET")

            def do_POST(self):
                server._handle(self, "POST")

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name=type(self).__name__, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self._release.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        try:
            self.handle(handler, method, body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a hang it timed out on): nothing to answer

    def handle(self, handler, method: str, body: bytes) -> None:  # overridden
        raise NotImplementedError

    # -- answers -------------------------------------------------------------------------------------------------
    @staticmethod
    def answer(handler, status: int, payload, headers: dict | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
        handler.wfile.flush()

    @staticmethod
    def drop(handler) -> None:
        handler.close_connection = True
        try:
            handler.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def hang(self) -> None:
        self._release.wait(self.hang_seconds)

    def http_fault(self, handler, fault: str | None) -> bool:
        """Answers the plain HTTP faults; True when one was served (the request is not carried out)."""
        if fault == HTTP_500:
            self.answer(handler, 500, {"Message": "An error has occurred."})
        elif fault in (HTTP_503, HTTP_429):
            self.answer(handler, int(fault), {"Message": "slow down"}, {"Retry-After": self.retry_after})
        elif fault == HTTP_502_LONG:
            self.answer(handler, 502, {"Message": "Bad gateway " + "x" * 5000})
        elif fault == HTTP_408:
            self.answer(handler, 408, {"Message": "request timeout"})
        elif fault == DROP:
            self.drop(handler)
        else:
            return False
        return True


class FakeMShopKeeper(_Server):
    """MShopKeeper's open platform as Chotdon uses it: signed login, tokens that expire, order creation with a
    unique OrderNo, lookup by OrderNo, branches."""

    def __init__(self, *, domain: str = "testshop.mshopkeeper.vn", secret: str = "bí-mật-thử",
                 environment: str = "g9", company_code: str = "testshop", token_seconds: float = 3600.0,
                 unknown_products=("KHONG-TON-TAI",), **kwargs):
        super().__init__(**kwargs)
        self.domain, self.secret = domain, secret
        self.environment, self.company_code = environment, company_code
        self.token_seconds = token_seconds
        self.unknown_products = set(unknown_products)
        self.tokens: dict[str, float] = {}
        self.orders: dict[str, dict] = {}  # OrderNo -> the order as stored
        self.create_requests: Counter = Counter()  # OrderNo -> create requests that arrived (faults included)
        self.duplicate_creates: list[str] = []  # OrderNos created again while already stored
        self.lookups: Counter = Counter()
        self.logins = 0
        self.refused_logins = 0
        self.order_stored = threading.Event()

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    @staticmethod
    def envelope(data=None, *, error_type: int = 0, message: str | None = None, total: int | None = None) -> dict:
        return {"Success": error_type == 0, "Data": data, "Total": total, "ErrorType": error_type,
                "ErrorMessage": message}

    def handle(self, handler, method, body):
        path = handler.path.split("?")[0]
        if path == "/auth/api/Account/Login" and method == "POST":
            return self._login(handler, body)
        prefix = f"/{self.environment}/api/v1/"
        if not path.startswith(prefix):
            return self.answer(handler, 404, {"Message": f"no route {path}"})
        resource = path[len(prefix):]
        kind = {"orders": "create", "orders/list": "lookup", "branchs/all": "branches"}.get(resource)
        if kind is None:
            return self.answer(handler, 404, {"Message": f"no resource {resource}"})
        self.requests.append((kind, path))
        order = json.loads(body.decode("utf-8")) if body else {}
        if kind == "create":
            with self.lock:
                self.create_requests[order.get("OrderNo")] += 1
        fault = self._fault_for(kind)
        if self.http_fault(handler, fault):
            return None
        if fault == UNAUTHORIZED:
            self.expire_tokens()
        if not self._authorised(handler):
            return self.answer(handler, 401, {"Message": "Authorization has been denied for this request."})
        if fault == SAME_REQUEST_RUNNING:
            return self.answer(handler, 200, self.envelope(error_type=102, message=(
                "Request bị từ chối, do có request cùng loại đang xử lý")))
        if kind == "branches":
            return self.answer(handler, 200, self.envelope([{"Id": "b-1", "Name": "Chi nhánh Quận 1"},
                                                            {"Id": "b-2", "Name": "Kho Thủ Đức"}]))
        if kind == "lookup":
            number = order.get("OrderNo")
            with self.lock:
                self.lookups[number] += 1
                found = [self.orders[number]] if number in self.orders else []
            return self.answer(handler, 200, self.envelope(found, total=len(found)))
        return self._create(handler, order, fault)

    def _login(self, handler, body):
        self.requests.append(("login", handler.path))
        fault = self._fault_for("login")
        if self.http_fault(handler, fault):
            return None
        request = json.loads(body.decode("utf-8"))
        signed = json.dumps({k: request.get(k) for k in ("AppID", "Domain", "LoginTime")}, sort_keys=True,
                            separators=(",", ":"), ensure_ascii=False)
        expected = hmac.new(self.secret.encode(), signed.encode(), hashlib.sha256).hexdigest()
        login_time = datetime.fromisoformat(str(request.get("LoginTime", "")).replace("Z", "+00:00"))
        fresh = abs((datetime.now(UTC) - login_time).total_seconds()) < 300
        if request.get("AppID") != "MShopKeeperOpenPlatform":
            error = (3, "AppID không tồn tại")
        elif request.get("Domain") != self.domain:
            error = (2, "Cửa hàng không tồn tại")
        elif not hmac.compare_digest(expected, str(request.get("SignatureInfo", ""))) or not fresh:
            error = (4, "Chuỗi thông tin chữ ký đăng nhập không hợp lệ, timeout")
        else:
            error = None
        with self.lock:
            if error:
                self.refused_logins += 1
                return self.answer(handler, 200, self.envelope(error_type=error[0], message=error[1]))
            self.logins += 1
            token = uuid.uuid4().hex
            self.tokens[token] = time.monotonic() + self.token_seconds
        return self.answer(handler, 200, self.envelope({"AccessToken": token, "CompanyCode": self.company_code,
                                                        "Environment": self.environment}))

    def _authorised(self, handler) -> bool:
        token = (handler.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        with self.lock:
            expires = self.tokens.get(token)
        return (expires is not None and expires > time.monotonic()
                and handler.headers.get("CompanyCode") == self.company_code)

    def _create(self, handler, order: dict, fault: str | None):
        number = order.get("OrderNo")
        missing = [name for name in ("OrderNo", "OrderDate", "TotalAmount", "Customer", "OrderDetails",
                                     "OrderDelivery") if order.get(name) in (None, "", [])]
        if missing:
            return self.answer(handler, 200, self.envelope(error_type=1, message="Thiếu " + ", ".join(missing)))
        unknown = [d["ProductCode"] for d in order["OrderDetails"] if d.get("ProductCode") in self.unknown_products]
        with self.lock:
            if unknown:
                return self.answer(handler, 200, self.envelope(error_type=1, message=(
                    f"Mã hàng {unknown[0]} không tồn tại trên MShopKeeper")))
            if number in self.orders:
                self.duplicate_creates.append(number)
                return self.answer(handler, 200, self.envelope(error_type=1, message=f"Số đơn {number} đã tồn tại"))
            stored = dict(order, OrderId=str(uuid.uuid4()))
            self.orders[number] = stored
        self.order_stored.set()
        if fault == DONE_THEN_ERROR_100:
            return self.answer(handler, 200, self.envelope(error_type=100, message=(
                "Lỗi hệ thống khi xử lý request; Authorization: " + (handler.headers.get("Authorization") or ""))))
        if fault == DONE_THEN_UNKNOWN_ERROR:
            return self.answer(handler, 200, self.envelope(error_type=57, message="Không xác định"))
        if fault == DONE_THEN_NO_ERROR_TYPE:
            return self.answer(handler, 200, {"Success": False, "Data": None})
        if fault == DONE_THEN_HANG:
            self.hang()
        if fault in (DONE_THEN_HANG, DONE_THEN_DROP):
            return self.drop(handler)
        return self.answer(handler, 200, self.envelope({"OrderId": stored["OrderId"], "OrderNo": number}))


class FakeWebhookReceiver(_Server):
    """An OCM-like receiver: checks X-Chotdon-Signature, processes each Idempotency-Key once, and counts."""

    def __init__(self, *, secret: str = "khóa-webhook", refuse_note: str = "từ chối", **kwargs):
        super().__init__(**kwargs)
        self.secret = secret
        self.refuse_note = refuse_note  # events of orders with this note are refused with 422 (a bad payload)
        self.deliveries: Counter = Counter()  # Idempotency-Key -> requests that arrived with a valid signature
        self.processed: dict[str, dict] = {}  # Idempotency-Key -> the event, processed once
        self.bad_signatures = 0

    def handle(self, handler, method, body):
        if method != "POST":
            return self.answer(handler, 405, {"error": "POST only"})
        self.requests.append(("event", handler.path))
        fault = self._fault_for("event")
        if self.http_fault(handler, fault):
            return None
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, handler.headers.get("X-Chotdon-Signature") or ""):
            with self.lock:
                self.bad_signatures += 1
            return self.answer(handler, 401, {"error": "bad signature"})
        key = handler.headers.get("Idempotency-Key")
        event = json.loads(body.decode("utf-8"))
        if (event["order"].get("note") or "") == self.refuse_note:
            return self.answer(handler, 422, {"error": "this order cannot be accepted"})
        with self.lock:
            self.deliveries[key] += 1
            duplicate = key in self.processed
            if not duplicate:
                self.processed[key] = event
        if fault == DONE_THEN_HANG:
            self.hang()
        if fault in (DONE_THEN_HANG, DONE_THEN_DROP):
            return self.drop(handler)
        return self.answer(handler, 200, {"ok": True, "duplicate": duplicate})


class EchoingWebhookReceiver(FakeWebhookReceiver):
    """A careless receiver that refuses every event with `status` and echoes the whole request in its answer: the
    path with its query, the Authorization header (the URL's user and password, as Basic), the signature, the
    body, and its own secret in a note."""

    def __init__(self, *, status: int = 500, **kwargs):
        super().__init__(**kwargs)
        self.status = status

    def handle(self, handler, method, body):
        self.requests.append(("event", handler.path))
        self.answer(handler, self.status, {
            "error": f"could not process; checked with secret {self.secret}",
            "path": handler.path,
            "headers": {name: handler.headers.get(name) for name in ("Authorization", "X-Chotdon-Signature")},
            "echo": f"Authorization: {handler.headers.get('Authorization')} for {handler.path}",
            "body": body.decode("utf-8"),
        })
