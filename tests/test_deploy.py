"""deploy/: nginx accepts deploy/nginx.conf as written (`nginx -t`, Debian's nginx, certificate and log
paths moved into a temp folder), and the systemd unit runs the app the way docs/deploy.md says."""

from __future__ import annotations

import configparser
import subprocess
from pathlib import Path

from tests.nginx_config import DEPLOY_CONF, http_only, main_config, nginx_binary

ROOT = Path(__file__).resolve().parent.parent


def nginx_test(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([nginx_binary(), "-t", "-c", str(config)], capture_output=True, text=True, timeout=60)


def test_nginx_accepts_the_deployment_config(tmp_path: Path) -> None:
    site = DEPLOY_CONF.read_text(encoding="utf-8")
    done = nginx_test(main_config(tmp_path, site))
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr and "test is successful" in done.stderr


def test_nginx_refuses_a_broken_copy(tmp_path: Path) -> None:
    """The check can fail: the same file without the semicolon after client_max_body_size is refused."""
    site = DEPLOY_CONF.read_text(encoding="utf-8").replace("client_max_body_size 25m;", "client_max_body_size 25m")
    done = nginx_test(main_config(tmp_path, site))
    assert done.returncode != 0


def test_the_config_carries_websockets_https_uploads_and_the_client_address() -> None:
    site = DEPLOY_CONF.read_text(encoding="utf-8")
    for line in ("proxy_set_header Upgrade $http_upgrade;", "proxy_set_header Connection $connection_upgrade;",
                 "proxy_http_version 1.1;", "listen 443 ssl http2;", "return 301 https://$host$request_uri;",
                 "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
                 "proxy_set_header X-Forwarded-Proto $scheme;", "server 127.0.0.1:8501;"):  # fmt: skip
        assert line in site
    # Uploads: at least max_upload_mb (20 MB by default) must get through.
    assert "client_max_body_size 25m;" in site


def test_the_http_only_test_copy_is_valid_too(tmp_path: Path) -> None:
    site = http_only(DEPLOY_CONF.read_text(encoding="utf-8"), 18080, 18501)
    assert "ssl" not in site.replace("ssl_", "") and "return 301" not in site
    done = nginx_test(main_config(tmp_path, site))
    assert done.returncode == 0, done.stderr


def test_the_systemd_unit_serves_the_app_on_loopback_behind_nginx() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(ROOT / "deploy" / "cchc.service", encoding="utf-8")
    start = unit["Service"]["ExecStart"].split()
    assert start[1:4] == ["-m", "streamlit", "run"] and start[4] == "app.py"
    assert start[start.index("--server.address") + 1] == "127.0.0.1"
    assert start[start.index("--server.port") + 1] == "8501"  # the upstream of deploy/nginx.conf
    assert unit["Service"]["User"] == "cchc" and unit["Install"]["WantedBy"] == "multi-user.target"
