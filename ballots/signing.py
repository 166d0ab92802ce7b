"""Signing the proces-verbaal: a PAdES signature (pyHanko, SHA-256) with the association's
certificate, and reading a signed PDF back.

The certificate and key come from SIGNING_P12 / SIGNING_P12_PASSWORD. Without them a
self-signed development certificate is generated once into var/ (and the document and the
pages say so). A signature is added as an incremental update, so a second, personal signature
of the chair can be appended later without invalidating the first.
"""

import asyncio
import datetime
import io
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from config.env import write_private_file

SIGNATURE_FIELD = "Vereniging"
# A later, personal signature of the chair goes into a field of its own as an incremental
# update; the association's signature stays valid (STACK.md, trap 4).
CHAIR_SIGNATURE_FIELD = "Voorzitter"
MM = 72 / 25.4  # PDF points per millimetre
SIGNATURE_RESERVED_BYTES = 16 * 1024


@dataclass(frozen=True)
class SigningIdentity:
    key_pem: bytes
    cert_pem: bytes
    development: bool

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)


def _development_identity(var_dir: Path) -> SigningIdentity:
    key_path, cert_path = var_dir / "signing-dev-key.pem", var_dir / "signing-dev-cert.pem"
    if not key_path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        name = x509.Name(
            [
                x509.NameAttribute(
                    NameOID.COMMON_NAME, f"{settings.ASSOCIATION_NAME} (ONTWIKKELCERTIFICAAT)"
                ),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.ASSOCIATION_NAME),
                x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            ]
        )
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            # Validators reject signing certificates without these two usages.
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        var_dir.mkdir(parents=True, exist_ok=True)
        # The certificate first, the key last: whoever sees the key finds its certificate.
        # Two processes generating at once: the one whose certificate lands writes its key,
        # the other waits for that key instead of writing a key that does not match.
        if write_private_file(cert_path, cert.public_bytes(serialization.Encoding.PEM)):
            write_private_file(
                key_path,
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ),
            )
        _wait_for(key_path)
    return SigningIdentity(key_path.read_bytes(), cert_path.read_bytes(), development=True)


def _p12_identity(path: str, password: str) -> SigningIdentity:
    key, cert, _chain = pkcs12.load_key_and_certificates(
        Path(path).read_bytes(), password.encode() if password else None
    )
    if key is None or cert is None:
        raise ValueError(f"SIGNING_P12 {path} holds no key and certificate")
    return SigningIdentity(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        cert.public_bytes(serialization.Encoding.PEM),
        development=False,
    )


@cache
def _wait_for(path: Path, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path} did not appear (another process generating it died?)")
        time.sleep(0.05)


def signing_identity() -> SigningIdentity:
    if settings.SIGNING_P12:
        return _p12_identity(settings.SIGNING_P12, settings.SIGNING_P12_PASSWORD)
    return _development_identity(Path(settings.VAR_DIR))


def _asn1_certificate(identity: SigningIdentity) -> asn1_x509.Certificate:
    [certificate] = load_certs_from_pemder_data(identity.cert_pem)
    return certificate


class _PreloadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses the private key again for every signature it makes, and
    for RSA that includes cryptography's key check (~0.15 s for a 3072-bit key, twice per
    document). This signer keeps the parsed key; other mechanisms use pyHanko's own path."""

    def __init__(self, *, loaded_key, **kwargs):
        super().__init__(**kwargs)
        self._loaded_key = loaded_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._loaded_key, RSAPrivateKey):
            return self._loaded_key.sign(
                data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
            )
        return super().sign_raw(data, digest_algorithm)


@cache
def _signer(identity: SigningIdentity) -> signers.SimpleSigner:
    """One signer per identity for the life of the process (key parsing is the slow part)."""
    return _PreloadedKeySigner(
        signing_cert=_asn1_certificate(identity),
        signing_key=load_private_key_from_pemder_data(identity.key_pem, passphrase=None),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_certificate(identity)]),
        loaded_key=serialization.load_pem_private_key(identity.key_pem, password=None),
    )


async def async_sign_pdf(
    pdf: bytes,
    *,
    box_mm: tuple[float, float, float, float],
    identity: SigningIdentity | None = None,
    field_name: str = SIGNATURE_FIELD,
) -> bytes:
    """Sign `pdf` (PAdES, SHA-256) with a visible box on the last page (box in mm from the
    bottom-left corner)."""
    identity = identity or signing_identity()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    box = tuple(round(value * MM) for value in box_mm)
    fields.append_signature_field(writer, fields.SigFieldSpec(field_name, on_page=-1, box=box))
    metadata = PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        name=settings.ASSOCIATION_NAME,
        reason="Vaststelling van de uitslag (proces-verbaal)",
        location="Nederland",
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=_signer(identity),
        stamp_style=_stamp_style(),
    )
    out = io.BytesIO()
    # A fixed reservation for the signature container skips pyHanko's trial signature that
    # would otherwise estimate its size (one RSA signature plus one certificate fit easily).
    await pdf_signer.async_sign_pdf(writer, output=out, bytes_reserved=SIGNATURE_RESERVED_BYTES)
    return out.getvalue()


def _stamp_style():
    from pyhanko.stamp import TextStampStyle

    return TextStampStyle(
        stamp_text="Digitaal ondertekend door\n%(signer)s\nop %(ts)s",
        timestamp_format="%d-%m-%Y %H:%M:%S %Z",
        border_width=1,
    )


def run_coroutine(coroutine):
    """Run one of pyHanko's coroutines from synchronous code: on a loop of its own in this
    thread, or, if a loop is already running here (a running loop cannot be re-entered:
    STACK.md, trap 4), in a helper thread. The coroutines here touch no database."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def sign_pdf(
    pdf: bytes,
    *,
    box_mm,
    identity: SigningIdentity | None = None,
    field_name: str = SIGNATURE_FIELD,
) -> bytes:
    return run_coroutine(
        async_sign_pdf(pdf, box_mm=box_mm, identity=identity, field_name=field_name)
    )


def validation_context(identity: SigningIdentity | None = None) -> ValidationContext:
    """Trust exactly the association's certificate (the trust root of our documents)."""
    identity = identity or signing_identity()
    return ValidationContext(trust_roots=[_asn1_certificate(identity)], allow_fetching=False)
