"""Where deliveries may go: http(s) URLs whose every address is public, unless the setting
`WEBHOOK_ALLOW_PRIVATE` allows loopback, private and link-local addresses (tests, an intranet).

The host is resolved when the endpoint is registered and again at each delivery, and the
connection is made to an address that was checked (a name that resolves elsewhere the second time
cannot reach an internal service)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l


class AddressRefused(Exception):
    """The URL may not receive deliveries; `message` is translated."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to) of a URL that may receive deliveries."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressRefused(_l("This address is not a valid URL.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused(_l("Only http and https addresses can receive webhooks."))
    if parts.username or parts.password:
        raise AddressRefused(_l("Put no user name or password in the address: the signature proves the sender."))
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise AddressRefused(_l("The host name of this address cannot be resolved.")) from None
    addresses = sorted({info[4][0] for info in infos})
    if not addresses:
        raise AddressRefused(_l("The host name of this address cannot be resolved."))
    if not current_app.config["WEBHOOK_ALLOW_PRIVATE"] and not all(_allowed(a) for a in addresses):
        raise AddressRefused(_l("This address leads to a loopback, private or link-local network: "
                                "webhooks are only sent to public addresses."))
    return parts.scheme, parts.hostname, port, addresses[0]
