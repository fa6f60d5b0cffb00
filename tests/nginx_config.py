"""Test copies of deploy/nginx.conf: the real file inside a throw-away main config, checked or run by nginx."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

__all__ = ["DEPLOY_CONF", "http_only", "main_config", "nginx_binary", "running_nginx", "self_signed"]

ROOT = Path(__file__).resolve().parent.parent
DEPLOY_CONF = ROOT / "deploy" / "nginx.conf"
_CERT_LINE = re.compile(r"^(\s*ssl_certificate(?:_key)?\s+)\S+;", re.M)
_LOG_LINE = re.compile(r"^(\s*(?:access|error)_log\s+)/var/log/nginx/(\S+);", re.M)


def nginx_binary() -> str:
    """Debian's nginx; skipped when missing, unless CCHC_REQUIRE_BROWSER is set (CI must not skip)."""
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if found:
        return found
    if os.environ.get("CCHC_REQUIRE_BROWSER"):
        raise RuntimeError("CCHC_REQUIRE_BROWSER is set but nginx is missing (apt-get install -y nginx)")
    pytest.skip("nginx is not installed")


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate and its key for `localhost` (openssl)."""
    if shutil.which("openssl") is None:
        raise RuntimeError("openssl is missing (apt-get install -y openssl): no test certificate for nginx -t")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def _local_paths(site: str, folder: Path, cert: Path | None, key: Path | None) -> str:
    """The site text with the certificate files and the log files moved into `folder`."""
    if cert is not None and key is not None:
        site = _CERT_LINE.sub(lambda m: m.group(1) + (str(key) if "_key" in m.group(1) else str(cert)) + ";", site)
    return _LOG_LINE.sub(lambda m: f"{m.group(1)}{folder / m.group(2)};", site)


def _top_blocks(text: str) -> list[str]:
    """The top-level blocks and directives of a site file, comments dropped."""
    blocks, current, depth = [], [], 0
    for line in text.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current.append(line)
        depth += line.count("{") - line.count("}")
        if depth == 0 and (line.rstrip().endswith("}") or line.rstrip().endswith(";")):
            blocks.append("\n".join(current))
            current = []
    return blocks


def http_only(site: str, listen_port: int, app_port: int) -> str:
    """The HTTPS server of the site listening on 127.0.0.1:`listen_port` without TLS (the test has no
    certificate a browser trusts), the redirecting port-80 server left out, the upstream at `app_port`;
    every proxy directive as in the file."""
    kept = []
    for block in _top_blocks(site):
        if block.startswith("server {") and "return 301" in block:
            continue
        if block.startswith("server {"):
            lines = [line for line in block.splitlines() if not line.strip().startswith(("ssl_", "listen"))]
            lines.insert(1, f"    listen 127.0.0.1:{listen_port};")
            block = "\n".join(lines)
        kept.append(block)
    text = "\n\n".join(kept)
    assert "server 127.0.0.1:8501;" in text
    return text.replace("server 127.0.0.1:8501;", f"server 127.0.0.1:{app_port};")


def main_config(folder: Path, site: str) -> Path:
    """nginx.conf in `folder` holding `site` in its http block, every path (pid, logs, temp) in `folder`."""
    site_path = folder / "cchc.conf"
    site_path.write_text(_local_paths(site, folder, *_certs(folder, site)), encoding="utf-8")
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the temp folder
    main = folder / "nginx.conf"
    main.write_text(
        f"{user}pid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\nevents {{}}\nhttp {{\n"
        f"    access_log {folder / 'access.log'};\n"
        + "".join(f"    {name}_temp_path {path};\n" for name, path in temp.items() if name != "body")
        + f"    client_body_temp_path {temp['body']};\n"
        f"    include {site_path};\n}}\n",
        encoding="utf-8",
    )  # fmt: skip
    return main


def _certs(folder: Path, site: str) -> tuple[Path | None, Path | None]:
    return self_signed(folder) if _CERT_LINE.search(site) else (None, None)


@contextmanager
def running_nginx(folder: Path, site: str) -> Iterator[subprocess.Popen]:
    """nginx in the foreground with `site`; stopped (its own process) on exit."""
    config = main_config(folder, site)
    process = subprocess.Popen([nginx_binary(), "-c", str(config), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=(folder / "nginx.out").open("wb"))  # fmt: skip
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
