"""A local stand-in for Alibaba Cloud SMS (dysmsapi 2017-05-25, SendSms), for tests only.

It listens on 127.0.0.1 on a random port and checks each request the way the real
service does before it sends anything: the action and version headers, the query
parameters SendSms needs, and the ACS3-HMAC-SHA256 signature, recomputed here from
the published algorithm (canonical request -> string to sign -> HMAC with the
secret) rather than with the SDK's own helpers, so a test against it fails if the
SDK is driven wrongly. A reused signature nonce is refused, as the real service
refuses replays.

It records what it accepted (`sent`) and everything it was asked (`requests`), and
can be switched:
- `down("refused")`: the port is closed, connections are refused;
- `down("503")`: it answers HTTP 503 ServiceUnavailable;
- `up()`: back to normal, on the same port;
- `illegal_numbers`: numbers answered with isv.MOBILE_NUMBER_ILLEGAL;
- `answer_code`: a code to answer every request with (e.g. isv.BUSINESS_LIMIT_CONTROL).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

ACCESS_KEY_ID = "LTAI-test-key-id"
ACCESS_KEY_SECRET = "test-secret-never-used-outside-tests"
ALGORITHM = "ACS3-HMAC-SHA256"
REQUIRED_PARAMS = ("PhoneNumbers", "SignName", "TemplateCode")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def expected_signature(*, method: str, path: str, query: dict[str, str], headers: dict[str, str],
                       signed_headers: list[str], payload_hash: str, secret: str) -> str:
    """The V3 signature (help.aliyun.com, "V3 版本请求体&签名机制")."""
    canonical_query = "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in sorted(query.items()))
    canonical_headers = "".join(f"{name}:{headers[name].strip()}\n" for name in signed_headers)
    canonical_request = "\n".join([method, path or "/", canonical_query, canonical_headers, ";".join(signed_headers),
                                   payload_hash])
    string_to_sign = f"{ALGORITHM}\n{_sha256(canonical_request.encode())}"
    return hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


class FakeAliyunSms:
    def __init__(self, *, access_key_id: str = ACCESS_KEY_ID, access_key_secret: str = ACCESS_KEY_SECRET):
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.sent: list[dict] = []
        self.requests: list[dict] = []
        self.rejected: list[str] = []  # why malformed requests were refused
        self.illegal_numbers: set[str] = set()
        self.answer_code = ""
        self.mode = "up"
        self._nonces: set[str] = set()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    # --- life cycle ----------------------------------------------------------------
    def start(self) -> FakeAliyunSms:
        self._serve(0)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def down(self, how: str = "refused") -> None:
        assert how in ("refused", "503")
        self.mode = how
        if how == "refused":
            self.stop()
        elif self._server is None:
            self._serve(self.port)  # listening again, to answer 503

    def up(self) -> None:
        self.mode = "up"
        if self._server is None:
            self._serve(self.port)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self, port: int) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                status, answer = fake._handle(self)
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    # --- one request ---------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict]:
        request_id = str(uuid.uuid4()).upper()
        length = int(handler.headers.get("Content-Length") or 0)
        payload = handler.rfile.read(length) if length else b""
        url = urlsplit(handler.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        headers = {name.lower(): value for name, value in handler.headers.items()}
        with self._lock:
            self.requests.append({"query": query, "headers": headers})
        if self.mode == "503":
            return 503, {"Code": "ServiceUnavailable", "Message": "The request has failed due to a temporary failure "
                         "of the server.", "RequestId": request_id}
        problem = self._malformed(handler.command, url.path, query, headers, payload)
        if problem:
            with self._lock:
                self.rejected.append(problem)
            code = ("SignatureNonceUsed" if "nonce" in problem else "SignatureDoesNotMatch" if "signature" in problem
                    else "MissingParameter")
            return 400, {"Code": code, "Message": problem, "RequestId": request_id}
        code = self.answer_code or ("isv.MOBILE_NUMBER_ILLEGAL" if query["PhoneNumbers"] in self.illegal_numbers
                                    else "OK")
        if code != "OK":  # business errors come back as HTTP 200 with a code, as the real service does
            return 200, {"Code": code, "Message": code, "RequestId": request_id}
        biz_id = f"{len(self.sent) + 1:06d}^0"
        with self._lock:
            self.sent.append({
                "to": query["PhoneNumbers"], "sign_name": query["SignName"], "template_code": query["TemplateCode"],
                "params": json.loads(query.get("TemplateParam") or "{}"), "out_id": query.get("OutId", ""),
                "biz_id": biz_id})
        return 200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": request_id}

    def _malformed(self, method, path, query, headers, payload) -> str:
        if headers.get("x-acs-action") != "SendSms" or headers.get("x-acs-version") != "2017-05-25":
            return "not SendSms 2017-05-25"
        missing = [name for name in REQUIRED_PARAMS if not query.get(name)]
        if missing:
            return f"missing {', '.join(missing)}"
        if "TemplateParam" in query:
            try:
                json.loads(query["TemplateParam"])
            except ValueError:
                return "TemplateParam is not JSON"
        authorization = headers.get("authorization", "")
        algorithm, _, fields = authorization.partition(" ")
        parts = dict(item.split("=", 1) for item in fields.split(",") if "=" in item)
        if algorithm != ALGORITHM or not {"Credential", "SignedHeaders", "Signature"} <= parts.keys():
            return "no ACS3-HMAC-SHA256 signature"
        if parts["Credential"] != self.access_key_id:
            return "signature: unknown access key"
        signed = parts["SignedHeaders"].split(";")
        if not {"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce",
                "x-acs-content-sha256"} <= set(signed) or any(name not in headers for name in signed):
            return "signature: required headers not signed"
        if headers["x-acs-content-sha256"] != _sha256(payload):
            return "signature: payload hash does not match"
        want = expected_signature(method=method, path=path, query=query, headers=headers, signed_headers=signed,
                                  payload_hash=headers["x-acs-content-sha256"], secret=self.access_key_secret)
        if not hmac.compare_digest(want, parts["Signature"]):
            return "signature does not match"
        with self._lock:
            if headers["x-acs-signature-nonce"] in self._nonces:
                return "signature nonce used twice"
            self._nonces.add(headers["x-acs-signature-nonce"])
        return ""
