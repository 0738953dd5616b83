"""Ed25519 keys that sign run manifests.

`privacy-audit keygen` writes a key pair: signing.key (private, PEM, mode
600) and signing.pub (public, PEM) to hand to whoever verifies. A run signs
with the key named by --signing-key, else $PRIVACY_AUDIT_SIGNING_KEY, else
~/.privacy-workbook/signing.key, which is made on first use so that every run
is signed; an explicitly named key that does not exist is an error.

Who is trusted, for `verify`: a key pinned with --public-key; else the keys
of a trusted-keys file the user controls (--trusted-keys, else
$PRIVACY_AUDIT_TRUSTED_KEYS, else ~/.privacy-workbook/trusted_keys: one
base64 public key a line, as `keygen` prints it, then an optional comment),
and this machine's own signing key. A key a manifest names about itself
proves only that nothing changed since someone signed it.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from privacylib.errors import ConfigError

SIGNING_KEY_ENV = "PRIVACY_AUDIT_SIGNING_KEY"
TRUSTED_ENV = "PRIVACY_AUDIT_TRUSTED_KEYS"
DEFAULT_KEY_DIR = Path.home() / ".privacy-workbook"
PRIVATE_NAME, PUBLIC_NAME, TRUSTED_NAME = "signing.key", "signing.pub", "trusted_keys"


class SigningKeyError(ConfigError):
    """A signing or public key that cannot be used."""


def keygen(folder: str | Path = DEFAULT_KEY_DIR, *, force: bool = False) -> tuple[Path, Path]:
    """Write a new key pair into `folder`; never overwrite one unless asked."""
    folder = Path(folder)
    private, public = folder / PRIVATE_NAME, folder / PUBLIC_NAME
    if not force and (private.exists() or public.exists()):
        raise SigningKeyError(f"a key pair already exists in {folder}",
                        hint="keep it (reports signed with it verify against it), or pass "
                             "--force to replace it")
    folder.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    # Created with mode 600 from the start: the key is never readable by others.
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def signing_key_path(path: str | Path | None = None) -> Path:
    """The option, else the environment variable, else the default (made on first use)."""
    if path or os.environ.get(SIGNING_KEY_ENV):
        chosen = Path(path or os.environ[SIGNING_KEY_ENV])
        if not chosen.is_file():
            raise SigningKeyError(f"signing key {chosen} does not exist",
                            hint="make one with `privacy-audit keygen --out FOLDER`")
        return chosen
    default = DEFAULT_KEY_DIR / PRIVATE_NAME
    if not default.exists():
        keygen(DEFAULT_KEY_DIR)
    return default


def load_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningKeyError(f"signing key {path} cannot be read: {exc}",
                        hint="use a key made by `privacy-audit keygen`") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"signing key {path} is not an Ed25519 key",
                        hint="use a key made by `privacy-audit keygen`")
    return key


def load_public(path: str | Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise SigningKeyError(f"public key {path} cannot be read: {exc}",
                        hint="pass the signing.pub written by `privacy-audit keygen`") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(f"public key {path} is not an Ed25519 key")
    return key


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_from_raw(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text))


def key_id(key: Ed25519PublicKey) -> str:
    """A short fingerprint to compare keys by eye."""
    return hashlib.sha256(raw_public(key)).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data)).decode()


def is_valid(key: Ed25519PublicKey, signature: str, data: bytes) -> bool:
    try:
        key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError):
        return False
    return True


def public_text(key: Ed25519PublicKey) -> str:
    """The key as a trusted-keys line holds it (and the manifest names it)."""
    return base64.b64encode(raw_public(key)).decode()


def own_public_key() -> Ed25519PublicKey | None:
    """The public half of the key this machine signs with; None if it has none
    (never made here: verifying must not create keys)."""
    path = Path(os.environ[SIGNING_KEY_ENV]) if os.environ.get(SIGNING_KEY_ENV) else (
        DEFAULT_KEY_DIR / PRIVATE_NAME)
    try:
        return load_private(path).public_key() if path.is_file() else None
    except SigningKeyError:
        return None


def trusted_keys(path: str | Path | None = None) -> dict[str, str]:
    """key id -> where its trust comes from: the trusted-keys file's lines and
    this machine's own signing key. A file anyone else may write is refused."""
    named = path or os.environ.get(TRUSTED_ENV)
    file = Path(named) if named else DEFAULT_KEY_DIR / TRUSTED_NAME
    found: dict[str, str] = {}
    own = own_public_key()
    if own is not None:
        found[key_id(own)] = "this machine's signing key"
    if not file.is_file():
        if named:
            raise SigningKeyError(f"trusted-keys file {file} does not exist",
                                  hint="name the file that lists the keys you trust")
        return found
    if file.stat().st_mode & 0o022 or file.stat().st_uid != os.getuid():
        raise SigningKeyError(f"trusted-keys file {file} may be changed by others",
                              hint=f"make it yours and private: chmod 600 {file}")
    try:
        content = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SigningKeyError(f"trusted-keys file {file} is not UTF-8 text ({exc.reason} at "
                              f"byte {exc.start})", hint="it lists one key id a line; "
                              "write it again as text") from exc
    for n, line in enumerate(content.splitlines(), start=1):
        text = line.split("#")[0].split()
        if not text:
            continue
        try:
            found[key_id(public_from_raw(text[0]))] = f"{file} line {n}"
        except ValueError as exc:
            raise SigningKeyError(f"trusted-keys file {file} line {n} is not a public key",
                                  hint="one base64 key a line, as `privacy-audit keygen` "
                                       "prints it") from exc
    return found
