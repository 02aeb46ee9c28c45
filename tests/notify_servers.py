"""Local stand-ins for the WeCom, DingTalk and Feishu robot APIs (checking signatures, keywords and body
formats, answering their documented errors) and a TLS certificate for the local SMTP server."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SECRET = "SEC-test-secret"
KEYWORD = "调度"


@dataclass
class RobotAPI:
    """What the stand-ins received; ``fail`` holds answers to give before accepting (``"5xx"``,
    ``"rate"``, ``"slow"``)."""

    received: dict[str, list[str]] = field(default_factory=lambda: {"wecom": [], "dingtalk": [], "feishu": []})
    fail: list[str] = field(default_factory=list)
    answers: list[tuple[str, object]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def url(self, kind: str) -> str:
        return {"wecom": f"http://127.0.0.1:{self.port}/cgi-bin/webhook/send?key=wecom-key-123",
                "dingtalk": f"http://127.0.0.1:{self.port}/robot/send?access_token=ding-token-456",
                "feishu": f"http://127.0.0.1:{self.port}/open-apis/bot/v2/hook/feishu-hook-789"}[kind]


def _handler(api: RobotAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def answer(self, status: int, body: dict[str, object]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            body = json.loads(raw.decode("utf-8"))
            kind = "wecom" if "webhook" in url.path else "dingtalk" if "robot" in url.path else "feishu"
            with api.lock:
                fault = api.fail.pop(0) if api.fail else None
            if fault == "5xx":
                self.answer(502, {"error": "bad gateway"})
                return
            if fault == "slow":  # answers after the client gave up, and delivers nothing
                time.sleep(1.5)
                self.answer(504, {"error": "gateway timeout"})
                return
            code, reply = getattr(self, kind)(query, body, raw, fault)
            with api.lock:
                api.answers.append((kind, reply))
            self.answer(code, reply)

        def wecom(self, query: dict[str, list[str]], body: dict, raw: bytes, fault: str | None) -> tuple[int, dict]:
            if query.get("key") != ["wecom-key-123"]:
                return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
            if fault == "rate":
                return 200, {"errcode": 45009, "errmsg": "api freq out of limit"}
            if body.get("msgtype") != "text" or len(body["text"]["content"].encode()) > 2048:
                return 200, {"errcode": 40058, "errmsg": "content exceed max length"}
            api.received["wecom"].append(body["text"]["content"])
            return 200, {"errcode": 0, "errmsg": "ok"}

        def dingtalk(self, query: dict[str, list[str]], body: dict, raw: bytes, fault: str | None) -> tuple[int, dict]:
            stamp = query.get("timestamp", ["0"])[0]
            expected = base64.b64encode(hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(),
                                                 hashlib.sha256).digest()).decode()
            if query.get("sign", [""])[0] != expected or abs(time.time() * 1000 - int(stamp)) > 3600_000:
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
            if fault == "rate":
                return 200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
            if body.get("msgtype") != "text":
                return 200, {"errcode": 40035, "errmsg": "缺少参数 json"}
            if KEYWORD not in body["text"]["content"]:
                return 200, {"errcode": 310000, "errmsg": "keywords not in content"}
            api.received["dingtalk"].append(body["text"]["content"])
            return 200, {"errcode": 0, "errmsg": "ok"}

        def feishu(self, query: dict[str, list[str]], body: dict, raw: bytes, fault: str | None) -> tuple[int, dict]:
            if len(raw) > 20 * 1024:
                return 400, {"code": 9499, "msg": "Bad Request"}
            stamp = body.get("timestamp", "0")
            expected = base64.b64encode(hmac.new(f"{stamp}\n{SECRET}".encode(), b"", hashlib.sha256).digest()).decode()
            if body.get("sign") != expected or abs(time.time() - int(stamp)) > 3600:
                return 200, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
            if fault == "rate":
                return 200, {"code": 11232, "msg": "frequency limited psm"}
            if body.get("msg_type") != "text":
                return 200, {"code": 9499, "msg": "Bad Request"}
            if KEYWORD not in body["content"]["text"]:
                return 200, {"code": 19024, "msg": "Key Words Not Found"}
            api.received["feishu"].append(body["content"]["text"])
            return 200, {"code": 0, "msg": "success", "data": {}}

    return Handler


@contextmanager
def robot_api() -> Iterator[RobotAPI]:
    api = RobotAPI()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    api.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (also its own CA) and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path
