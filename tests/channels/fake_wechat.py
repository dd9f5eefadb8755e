"""A local stand-in for WeChat (the official-account platform) and for the 110 platform's callback, for tests.

FakeWeChat listens on 127.0.0.1 on a random port and plays both of WeChat's parts:
- the API the portal calls: access tokens (`/cgi-bin/token`, checked against the AppID and secret), OAuth
  (`/connect/oauth2/authorize` redirects the "phone's" follower back with a one-time code;
  `/sns/oauth2/access_token` turns a code into the openid, once), media downloads (`/cgi-bin/media/get`),
  template messages (`/cgi-bin/message/template/send`: token, follower and template checked, recorded) and
  the menu (`/cgi-bin/menu/create`);
- the server that pushes followers' messages to the portal: `push()` signs (sha1 over the sorted token,
  timestamp and nonce) and encrypts (AES-256-CBC, the key from the EncodingAESKey, PKCS#7 to 32 bytes,
  16 random bytes + length + message + AppID) as the platform documents, written here with `cryptography`
  rather than wechatpy, so a portal that drives wechatpy wrongly fails against it.

FakeCallback records the JSON POSTs the portal makes to the 110 platform, and can answer an error.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit
from xml.etree import ElementTree

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

APP_ID = "wx1234567890abcdef"
APP_SECRET = "test-app-secret-0123456789abcdef"
TOKEN = "portaltoken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat issues it
TEMPLATE_ID = "tpl-progress-notice"
# The smallest valid JPEG would do, but a real picture proves the cleaning: 8x8 grey.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwS"
    "ExIQEw8QEBD/yQALCAAIAAgBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=")


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _aes_key() -> bytes:
    return base64.b64decode(AES_KEY + "=")


def encrypt(xml: str, app_id: str = APP_ID) -> str:
    key = _aes_key()
    body = xml.encode()
    plain = os.urandom(16) + struct.pack(">I", len(body)) + body + app_id.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(ciphertext: str) -> tuple[str, str]:
    key = _aes_key()
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(base64.b64decode(ciphertext)) + decryptor.finalize()
    plain = plain[: -plain[-1]]
    length = struct.unpack(">I", plain[16:20])[0]
    return plain[20:20 + length].decode(), plain[20 + length:].decode()


def text_message(openid: str, content: str, msg_id: int) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_portal]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>")


def image_message(openid: str, media_id: str, msg_id: int) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_portal]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[image]]></MsgType>"
            f"<PicUrl><![CDATA[http://127.0.0.1/never-fetched.jpg]]></PicUrl><MediaId><![CDATA[{media_id}]]></MediaId>"
            f"<MsgId>{msg_id}</MsgId></xml>")


class _Server:
    def __init__(self):
        self._server: ThreadingHTTPServer | None = None
        self.port = 0
        self.lock = threading.Lock()

    def start(self):
        handler = self._handler()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, body: bytes, content_type: str, headers: dict | None = None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                fake.handle(self, "GET")

            def do_POST(self):
                fake.handle(self, "POST")

        return Handler


class FakeWeChat(_Server):
    def __init__(self):
        super().__init__()
        self.followers: set[str] = set()
        self.media: dict[str, bytes] = {}
        self.templates: list[dict] = []  # accepted template messages
        self.menus: list[dict] = []
        self.requests: list[str] = []
        self.template_errcode = 0  # answer every template message with this code (0: accept)
        self._codes: dict[str, str] = {}  # OAuth code -> openid, one use each
        self._tokens: set[str] = set()
        self.phone_openid = ""  # the follower whose WeChat browser follows the OAuth link

    def handle(self, request, method):
        parts = urlsplit(request.path)
        query = dict(parse_qsl(parts.query))
        with self.lock:
            self.requests.append(f"{method} {parts.path}")
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0)) if method == "POST" else b""

        def reply(data: dict):
            request._answer(200, json.dumps(data).encode(), "application/json")

        if parts.path == "/cgi-bin/token":
            if query.get("appid") != APP_ID or query.get("secret") != APP_SECRET:
                return reply({"errcode": 40125, "errmsg": "invalid appsecret"})
            token = secrets.token_hex(16)
            self._tokens.add(token)
            return reply({"access_token": token, "expires_in": 7200})
        if parts.path == "/connect/oauth2/authorize":
            assert query.get("appid") == APP_ID and query.get("response_type") == "code"
            code = secrets.token_hex(8)
            self._codes[code] = self.phone_openid
            target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})
            return request._answer(302, b"", "text/plain", {"Location": target})
        if parts.path == "/sns/oauth2/access_token":
            if query.get("appid") != APP_ID or query.get("secret") != APP_SECRET:
                return reply({"errcode": 40125, "errmsg": "invalid appsecret"})
            openid = self._codes.pop(query.get("code", ""), None)
            if not openid:
                return reply({"errcode": 40029, "errmsg": "invalid code"})
            return reply({"access_token": secrets.token_hex(8), "expires_in": 7200, "refresh_token": "r",
                          "openid": openid, "scope": "snsapi_base"})
        if query.get("access_token") not in self._tokens:
            return reply({"errcode": 40001, "errmsg": "invalid credential"})
        if parts.path == "/cgi-bin/media/get":
            content = self.media.get(query.get("media_id", ""))
            if content is None:
                return reply({"errcode": 40007, "errmsg": "invalid media_id"})
            return request._answer(200, content, "image/jpeg")
        if parts.path == "/cgi-bin/message/template/send":
            data = json.loads(body)
            if self.template_errcode:
                return reply({"errcode": self.template_errcode, "errmsg": "refused by the fake"})
            if data.get("touser") not in self.followers:
                return reply({"errcode": 43004, "errmsg": "require subscribe"})
            if data.get("template_id") != TEMPLATE_ID:
                return reply({"errcode": 40037, "errmsg": "invalid template_id"})
            with self.lock:
                self.templates.append(data)
            return reply({"errcode": 0, "errmsg": "ok", "msgid": len(self.templates)})
        if parts.path == "/cgi-bin/menu/create":
            self.menus.append(json.loads(body))
            return reply({"errcode": 0, "errmsg": "ok"})
        return reply({"errcode": 40066, "errmsg": "invalid url"})

    # --- WeChat's server pushing a follower's message to the portal -------------------------------------------
    @staticmethod
    def signed_query(*, timestamp: int | None = None, nonce: str | None = None, encrypted_body: str = "",
                     token: str = TOKEN) -> dict:
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or secrets.token_hex(6)
        query = {"signature": signature(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
                 "openid": "x"}
        if encrypted_body:
            query.update({"encrypt_type": "aes", "msg_signature": signature(token, timestamp, nonce, encrypted_body)})
        return query

    @staticmethod
    def envelope(xml: str) -> tuple[str, bytes]:
        ciphertext = encrypt(xml)
        return ciphertext, f"<xml><ToUserName><![CDATA[gh_portal]]></ToUserName><Encrypt><![CDATA[{ciphertext}]]></Encrypt></xml>".encode()

    @staticmethod
    def read_reply(response_body: bytes) -> str:
        """The portal's passive reply, decrypted after checking its signature, as a follower's phone would."""
        root = ElementTree.fromstring(response_body)
        ciphertext = root.findtext("Encrypt")
        expected = signature(TOKEN, root.findtext("TimeStamp"), root.findtext("Nonce"), ciphertext)
        assert root.findtext("MsgSignature") == expected, "the reply's signature is wrong"
        xml, app_id = decrypt(ciphertext)
        assert app_id == APP_ID
        return ElementTree.fromstring(xml).findtext("Content")


class FakeCallback(_Server):
    """The 110 platform's callback URL."""

    def __init__(self):
        super().__init__()
        self.received: list[dict] = []
        self.headers: list[dict] = []
        self.status = 200

    def handle(self, request, method):
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        if self.status != 200:
            return request._answer(self.status, b"unavailable", "text/plain")
        with self.lock:
            self.received.append(json.loads(body))
            self.headers.append(dict(request.headers))
        request._answer(200, b'{"ok":true}', "application/json")
