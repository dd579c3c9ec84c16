"""The office's signing keys (Ed25519): kept out of the database, published as a JWKS.

A key set is a JSON document `{"current": KID, "keys": [JWK with "d", "created", …]}`, read from
the environment variable `SIGNING_KEYS` (production with several machines: the same value on
each) or from the file `SIGNING_KEYS_PATH` (default `instance/signing_keys.json`, written with
0600 rights). In development a key is created on first need, so the quick start needs no step;
in production `flask keys generate` creates it. Rotation adds a new current key and keeps the
old ones published, so that certificates signed before still verify. Private parts never leave
this module except as signatures.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from flask import current_app

from registrations.clock import utc_now

#: Key sets kept in memory by path (tests use an in-memory set, generated once per process).
_MEMORY: dict[str, dict] = {}
_lock = threading.Lock()
MEMORY_PATH = ":memory:"


class KeysUnavailable(RuntimeError):
    """No signing key is configured (production without `flask keys generate`)."""


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class SigningKey:
    """One Ed25519 key of the set."""

    kid: str
    created: str
    private: Ed25519PrivateKey

    @property
    def public_jwk(self) -> dict:
        """The public key as a JWK (RFC 8037), what the JWKS publishes."""
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(_raw_public(self.private.public_key())),
                "kid": self.kid, "use": "sig", "alg": "EdDSA"}

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def _raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def thumbprint(x: str) -> str:
    """RFC 7638 thumbprint of an Ed25519 public key (base64url of SHA-256)."""
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


def new_key_entry(now: datetime | None = None) -> dict:
    """A fresh private JWK entry (kid = the first 10 characters of its thumbprint, kept short
    because it travels in every QR code)."""
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    x = b64url(_raw_public(private.public_key()))
    created = (now or utc_now()).astimezone(timezone.utc).isoformat(timespec="seconds")
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "d": b64url(raw), "kid": thumbprint(x)[:10],
            "created": created}


def _parse(document: dict) -> list[SigningKey]:
    keys = []
    for entry in document.get("keys", []):
        private = Ed25519PrivateKey.from_private_bytes(b64url_decode(entry["d"]))
        if b64url(_raw_public(private.public_key())) != entry["x"]:
            raise ValueError(f"key {entry['kid']}: public part does not match the private one")
        keys.append(SigningKey(entry["kid"], entry.get("created", ""), private))
    return keys


def _path() -> str:
    return current_app.config["SIGNING_KEYS_PATH"]


def _from_env() -> dict | None:
    value = current_app.config.get("SIGNING_KEYS", "")
    return json.loads(value) if value else None


def read_document(path: str | None = None) -> dict | None:
    """The key set as stored (environment first, then the file or memory), or None."""
    env = _from_env()
    if env is not None:
        return env
    path = path or _path()
    if path == MEMORY_PATH:
        return _MEMORY.get(path)
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        return None


def write_document(document: dict, path: str | None = None) -> None:
    """Write the key set to its file with 0600 rights (atomically), or to memory."""
    if _from_env() is not None:
        raise KeysUnavailable("the keys come from the SIGNING_KEYS variable: change that variable instead")
    path = path or _path()
    if path == MEMORY_PATH:
        _MEMORY[path] = document
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + f".{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(document, handle, indent=1)
    os.chmod(temporary, 0o600)
    os.replace(temporary, target)


def _create_first(path: str) -> dict:
    """Create the first key, unless another process did it meanwhile (O_EXCL on the file)."""
    entry = new_key_entry()
    document = {"current": entry["kid"], "keys": [entry]}
    if path == MEMORY_PATH:
        return _MEMORY.setdefault(path, document)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return json.loads(target.read_text())
    with os.fdopen(descriptor, "w") as handle:
        json.dump(document, handle, indent=1)
    return document


def load() -> tuple[SigningKey, list[SigningKey]]:
    """(the current key, every published key), creating the first key where allowed."""
    with _lock:
        document = read_document()
        if document is None or not document.get("keys"):
            if not current_app.config.get("SIGNING_KEYS_AUTO_CREATE"):
                raise KeysUnavailable("no signing key: run `flask --app app keys generate` (see README)")
            document = _create_first(_path())
    keys = _parse(document)
    by_kid = {key.kid: key for key in keys}
    return by_kid[document["current"]], keys


def current_key() -> SigningKey:
    return load()[0]


def jwks() -> dict:
    """The public keys, current one first: what `/.well-known/jwks.json` serves."""
    current, keys = load()
    ordered = [current] + [key for key in keys if key.kid != current.kid]
    return {"keys": [key.public_jwk for key in ordered]}


def generate(force: bool = False) -> SigningKey:
    """Create the key set with one key; refuses when keys exist (unless `force`)."""
    with _lock:
        document = read_document()
        if document and document.get("keys") and not force:
            raise ValueError("signing keys exist already: use `keys rotate` to add a new one")
        entry = new_key_entry()
        write_document({"current": entry["kid"], "keys": [entry]})
    return _parse({"keys": [entry]})[0]


def rotate() -> SigningKey:
    """Add a new key and make it current; older keys stay published (old certificates verify)."""
    with _lock:
        document = read_document() or {"keys": []}
        entry = new_key_entry()
        document = {"current": entry["kid"], "keys": [*document.get("keys", []), entry]}
        write_document(document)
    return _parse({"keys": [entry]})[0]


def listing() -> list[dict]:
    """Each key's id, creation time and whether it is current (no private part)."""
    document = read_document() or {"keys": []}
    return [{"kid": entry["kid"], "created": entry.get("created", ""),
             "current": entry["kid"] == document.get("current")} for entry in document["keys"]]
