"""nginx from Debian's package in front of the queue server, with the repository's own
configuration (deploy/nginx/qms.conf): a request runs through it over TLS.

nginx is started by the test on 127.0.0.1 on free ports, from a temporary copy of the
configuration whose listen lines, upstream address and certificate paths are replaced.
Skipped only when nginx is not installed and this is not CI (in CI it must run:
scripts/install-system-deps.sh installs it).
"""

import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.config import load_settings

ROOT = Path(__file__).resolve().parents[3]
SITE_CONF = ROOT / "deploy" / "nginx" / "qms.conf"


def _nginx() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing in CI: scripts/install-system-deps.sh installs it")
        pytest.skip("nginx is not installed (scripts/install-system-deps.sh)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def derived_config(upstream: int, https: int, http: int, cert: Path, key: Path) -> str:
    """The repository's site configuration, pointed at this test's ports and certificate."""
    text = SITE_CONF.read_text(encoding="utf-8")
    replaced = {
        r"server 127\.0\.0\.1:8080;": f"server 127.0.0.1:{upstream};",
        r"listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        r"listen 80;": f"listen 127.0.0.1:{http};",
        r"listen \[::\]:(80|443)[^;]*;": "",
        r"ssl_certificate /etc/ssl/qms/fullchain\.pem;": f"ssl_certificate {cert};",
        r"ssl_certificate_key /etc/ssl/qms/privkey\.pem;": f"ssl_certificate_key {key};",
    }
    for pattern, value in replaced.items():
        text, count = re.subn(pattern, value, text)
        assert count, f"deploy/nginx/qms.conf no longer has {pattern!r}"
    return text


@pytest.fixture
def nginx_in_front(api, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """nginx on free ports before the ``api`` test server; yields the HTTPS and HTTP
    base URLs and the certificate to trust."""
    binary = _nginx()
    cert, key = _certificate(tmp_path)
    upstream = int(api.world.service.tickets.public_url.rsplit(":", 1)[1])
    https, http = _free_port(), _free_port()
    site = derived_config(upstream, https, http, cert, key)
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / name).mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"""
daemon off;
master_process off;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 128; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
{site}
}}
""",
        encoding="utf-8",
    )
    check = subprocess.run(
        [binary, "-t", "-e", str(tmp_path / "error.log"), "-p", str(tmp_path), "-c", str(conf)],
        check=False,
        capture_output=True,
    )
    assert check.returncode == 0, check.stderr.decode()
    process = subprocess.Popen(
        [binary, "-e", str(tmp_path / "error.log"), "-p", str(tmp_path), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", https), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "nginx did not start listening"
                time.sleep(0.05)
        yield f"https://127.0.0.1:{https}", f"http://127.0.0.1:{http}", cert
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        process.stderr.close()  # type: ignore[union-attr]


def test_a_request_runs_through_nginx_over_tls(api, nginx_in_front) -> None:
    https, http, cert = nginx_in_front
    trust = ssl.create_default_context(cafile=str(cert))
    with httpx.Client(base_url=https, verify=trust, timeout=30) as client:
        health = client.get("/api/v1/health")
        assert health.status_code == 200 and health.json()["database"] == "sqlite"
        login = client.post("/api/v1/auth/login", json={"username": "c1", "password": "pw-c1"})
        assert login.status_code == 200
        token = login.json()["token"]
        issued = client.post(
            "/api/v1/sites/t1/tickets",
            json={"service": "ht"},
            headers={"Authorization": f"Bearer {api.kiosk_token}", "Idempotency-Key": "ngx-1"},
        )
        assert issued.status_code == 201, issued.text
        queue = client.get("/api/v1/sites/t1/queue", headers={"Authorization": f"Bearer {token}"})
        assert queue.status_code == 200
        too_large = client.put(
            "/api/v1/sites/t1/notice",
            content=b"x" * (100 * 1024),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert too_large.status_code == 413  # nginx's own limit, before the server
    redirected = httpx.get(f"{http}/api/v1/health", timeout=30)
    assert redirected.status_code == 301
    assert redirected.headers["location"].startswith("https://")


def test_the_example_server_settings_load() -> None:
    settings = load_settings(
        config_file=ROOT / "deploy" / "systemd" / "server.toml", environ={}, overrides={}
    )
    assert settings.http == "127.0.0.1:8080" and str(settings.data_dir) == "/var/lib/qms"
