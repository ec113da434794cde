"""Temporal over TLS and mTLS, configured by the environment alone (``TEMPORAL_TLS*``, ``TEMPORAL_API_KEY``).

The dev server speaks plaintext only, so a TLS-terminating TCP proxy sits in front of it: gRPC over
TLS is the same HTTP/2 byte stream once the handshake is done (ALPN ``h2``). The proxy requires a
client certificate signed by the test CA, so a connection that gets through really used mTLS.
Certificates are made with ``openssl`` for each run.
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import settings
from client import temporal as cases
from client.connection import connect, tls_config
from client.errors import BadInput, TemporalUnreachable
from keys import Signer
from ledger.store import Ledger
from worker import build_worker

BIN = Path(sys.executable).parent / "brandpunt"
SERVER_NAME = "temporal.brandpunt.test"


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Path:
    """A CA, a server certificate for SERVER_NAME and a client certificate, all signed by the CA."""
    d = tmp_path_factory.mktemp("certs")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=brandpunt test CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    for name, usage, san in (("server", "serverAuth", f"DNS:{SERVER_NAME}"), ("client", "clientAuth", "DNS:worker")):
        (d / f"{name}.ext").write_text(
            f"subjectAltName={san}\nextendedKeyUsage={usage}\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
            "basicConstraints=CA:FALSE\n"
        )
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", f"/CN={name}", cwd=d)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=d)
    return d


@pytest.fixture
async def mtls_proxy(dev_server_env, certs):
    """``127.0.0.1:PORT`` accepting only mTLS (client certificate from the test CA) to the dev server."""
    upstream_host, upstream_port = dev_server_env.client.service_client.config.target_host.rsplit(":", 1)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(certs / "ca.pem"))
    ctx.load_cert_chain(certs / "server.pem", certs / "server.key")
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.set_alpn_protocols(["h2"])
    accepted: list[str] = []

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peercert") or {}
        accepted.append(dict(x[0] for x in peer.get("subject", ())).get("commonName", "?"))
        up_reader, up_writer = await asyncio.open_connection(upstream_host, int(upstream_port))
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"127.0.0.1:{port}", accepted
        server.close()


def tls_env(address: str, certs: Path, **extra: str) -> dict[str, str]:
    return {
        "TEMPORAL_ADDRESS": address,
        "TEMPORAL_TLS_SERVER_CA_CERT_PATH": str(certs / "ca.pem"),
        "TEMPORAL_TLS_CLIENT_CERT_PATH": str(certs / "client.pem"),
        "TEMPORAL_TLS_CLIENT_KEY_PATH": str(certs / "client.key"),
        "TEMPORAL_TLS_SERVER_NAME": SERVER_NAME,
        **extra,
    }


async def test_worker_and_cli_run_a_case_over_mtls(mtls_proxy, certs, case_ledger_url, tmp_path):
    address, accepted = mtls_proxy
    env = tls_env(address, certs, BRANDPUNT_LEDGER_URL=case_ledger_url, BRANDPUNT_TASK_QUEUE="mtls",
                  BRANDPUNT_ACTOR="tls-coordinator")
    client = await connect(settings.load(env))
    ledger = Ledger.open(case_ledger_url, upgrade=True)
    try:
        async with build_worker(client, ledger, "mtls", signer=Signer.generate()):
            started = await asyncio.to_thread(
                subprocess.run,
                [str(BIN), "lead", "start", "--company", "Secure Photonics BV", "--region", "bom",
                 "--hotspot", "twente", "--domain", "photonics", "--type", "scaleup", "--phase", "1",
                 "--contact-name", "T", "--json",
                 # the session's dev server holds other tests' cases, whose fresh ledgers also began at
                 # serial 0001: an id of its own (the serial path is tested end to end in test_cli_e2e)
                 "--case-id", f"BP-2026-TLS{uuid.uuid4().hex[:8]}"],
                env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
            )
            assert started.returncode == 0, started.stderr
            case_id = json.loads(started.stdout)["case_id"]
            state = await cases.state(client, case_id)
        assert [r.type for r in ledger.events(case_id)] == ["LeadDetected"]
        assert state.last_seq == 1
    finally:
        ledger.dispose()
    assert accepted and set(accepted) == {"client"}  # every connection presented the client certificate


async def test_without_the_client_certificate_or_trusted_ca_nothing_connects(mtls_proxy, certs):
    address, _ = mtls_proxy
    no_client_cert = tls_env(address, certs, TEMPORAL_TLS_CLIENT_CERT_PATH="", TEMPORAL_TLS_CLIENT_KEY_PATH="")
    with pytest.raises(TemporalUnreachable, match="over TLS"):
        await connect(settings.load(no_client_cert))
    untrusted = tls_env(address, certs, TEMPORAL_TLS_SERVER_CA_CERT_PATH="")  # system roots do not know the CA
    with pytest.raises(TemporalUnreachable, match="over TLS"):
        await connect(settings.load(untrusted))
    plaintext = {"TEMPORAL_ADDRESS": address}
    with pytest.raises(TemporalUnreachable):
        await connect(settings.load(plaintext))


def test_tls_settings_and_their_errors_name_the_variable(certs):
    assert settings.load({}).temporal_tls is None
    assert settings.load({"TEMPORAL_TLS": "true"}).temporal_tls == settings.TemporalTLS()
    keyed = settings.load({"TEMPORAL_API_KEY": "k-123"})
    assert keyed.temporal_api_key == "k-123" and keyed.temporal_tls is not None  # an API key implies TLS
    assert settings.load({"TEMPORAL_API_KEY": "k", "TEMPORAL_TLS": "false"}).temporal_tls is None
    config = tls_config(settings.load(tls_env("h:1", certs)))
    assert config.client_cert == (certs / "client.pem").read_bytes() and config.domain == SERVER_NAME
    half = settings.load(tls_env("h:1", certs, TEMPORAL_TLS_CLIENT_KEY_PATH=""))
    with pytest.raises(BadInput, match="TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH"):
        tls_config(half)
    missing = settings.load(tls_env("h:1", certs, TEMPORAL_TLS_SERVER_CA_CERT_PATH="/nonexistent/ca.pem"))
    with pytest.raises(BadInput, match="TEMPORAL_TLS_SERVER_CA_CERT_PATH=/nonexistent/ca.pem"):
        tls_config(missing)
