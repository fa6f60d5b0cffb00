"""The client's address as the app server sees it (the peer, or the proxy's X-Forwarded-For)."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["client_address"]


def client_address(headers: Mapping[str, str], peer: str | None, behind_proxy: bool) -> str:
    """The client's address: the last X-Forwarded-For entry (the one our proxy added) when the
    `behind_proxy` setting says a proxy sets it, else the connection's peer address."""
    if behind_proxy:
        forwarded = next((v for k, v in headers.items() if k.lower() == "x-forwarded-for"), "")
        last = forwarded.split(",")[-1].strip() if isinstance(forwarded, str) else ""
        if last:
            return last[:64]
    return peer[:64] if isinstance(peer, str) else ""
