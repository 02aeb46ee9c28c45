"""The local OAuth token endpoint: verifies service-account JWT grants like Google, issues tokens.

google-auth signs a JWT with the service account's private key and posts it to the key file's
``token_uri``; this endpoint checks the RS256 signature with the registered public key, the
issuer, audience, scope and lifetime, and answers with a bearer token the API then requires.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# The audience google-auth (and Google's endpoint) expects in a grant, whatever the token_uri.
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
TOKEN_LIFETIME = 3600


@dataclass(frozen=True)
class _Account:
    email: str
    public_key: rsa.RSAPublicKey


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class TokenIssuer:
    """Service accounts known to the stand-in, and the access tokens it has issued."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._accounts: dict[str, _Account] = {}  # private_key_id -> account
        self._tokens: dict[str, tuple[str, float]] = {}  # token -> (email, expiry)

    def new_service_account(self, path: Path, token_uri: str, email: str,
                            key: rsa.RSAPrivateKey | None = None) -> Path:
        """Register the public half of ``key`` (a new RSA key by default) and write a service-account
        JSON (mode 600) holding the private half."""
        key = key or new_key()
        key_id = secrets.token_hex(20)
        self._accounts[key_id] = _Account(email, key.public_key())
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        info = {"type": "service_account", "project_id": email.split("@", 1)[1].split(".", 1)[0],
                "private_key_id": key_id, "private_key": pem, "client_email": email,
                "client_id": str(int(key_id[:15], 16)), "auth_uri": token_uri.rsplit("/", 1)[0] + "/auth",
                "token_uri": token_uri, "universe_domain": "googleapis.com"}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(info, out, indent=2)
        return path

    def exchange(self, form: dict[str, str], token_uri: str) -> tuple[int, dict[str, Any]]:
        """A token request -> (status, body), with Google's error words for a bad grant."""
        if form.get("grant_type") != _GRANT:
            return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type."}
        try:
            head_b64, claims_b64, signature_b64 = form.get("assertion", "").split(".")
            header = json.loads(_b64decode(head_b64))
            claims = json.loads(_b64decode(claims_b64))
            signature = _b64decode(signature_b64)
        except ValueError:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT."}
        account = self._accounts.get(header.get("kid", ""))
        if account is None or header.get("alg") != "RS256":
            return 400, {"error": "invalid_grant", "error_description": "Invalid grant: account not found"}
        try:
            account.public_key.verify(signature, f"{head_b64}.{claims_b64}".encode(),
                                      padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        now = self._clock()
        if claims.get("iss") != account.email or claims.get("aud") not in (GOOGLE_TOKEN_AUDIENCE, token_uri):
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT: bad issuer or audience."}
        if not (claims.get("iat", 0) - 300 <= now <= claims.get("exp", 0)) or \
                claims.get("exp", 0) - claims.get("iat", 0) > TOKEN_LIFETIME:
            return 400, {"error": "invalid_grant",
                         "error_description": "Invalid JWT: Token must be a short-lived token (60 minutes) "
                                              "and in a reasonable timeframe."}
        scopes = str(claims.get("scope", "")).split()
        if not any(s.startswith(SHEETS_SCOPE) or s.endswith("/auth/drive") for s in scopes):
            return 400, {"error": "invalid_scope", "error_description": "No valid scope requested."}
        token = "ya29.standin-" + secrets.token_urlsafe(24)
        self._tokens[token] = (account.email, now + TOKEN_LIFETIME)
        return 200, {"access_token": token, "expires_in": TOKEN_LIFETIME - 1, "token_type": "Bearer"}

    def identity(self, authorization: str | None) -> str | None:
        """The service account a ``Bearer`` header belongs to, or None when it is not a live token."""
        if not authorization or not authorization.startswith("Bearer "):
            return None
        email, expiry = self._tokens.get(authorization[7:], ("", 0.0))
        return email if email and self._clock() < expiry else None
