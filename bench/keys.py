"""Key material for one run, generated once and shared by every library and the floor."""

from __future__ import annotations

import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey as Ed25519


def generate(workdir: Path) -> None:
    """Write ``keys/hs256.secret`` and a private/public PEM pair per asymmetric profile."""
    folder = workdir / "keys"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hs256.secret").write_text(secrets.token_urlsafe(48))
    private_keys: dict[str, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | Ed25519] = {
        "rs256": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "es256": ec.generate_private_key(ec.SECP256R1()),
        "eddsa": ed25519.Ed25519PrivateKey.generate(),
    }
    for profile, key in private_keys.items():
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        (folder / f"{profile}.private.pem").write_bytes(private)
        (folder / f"{profile}.public.pem").write_bytes(public)
