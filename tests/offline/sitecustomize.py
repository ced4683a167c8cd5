"""Loaded by every Python process the tests start: any network connection fails loudly.

With VERBATIM_TEST_LOOPBACK=1 (the Ray cluster tests) connections to this machine's loopback
are let through, and nothing else.
"""

import os
import socket

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class NetworkBlocked(RuntimeError):
    """Raised when code under test tries to reach the network."""


def _blocked(*args, **kwargs):
    raise NetworkBlocked("network access attempted during tests")


def _is_loopback(address) -> bool:
    # A str is a Unix socket's path: local by nature.
    return isinstance(address, str) or (isinstance(address, tuple) and address[0] in LOOPBACK)


def _only_loopback(real, address_of):
    def guarded(*args, **kwargs):
        if not _is_loopback(address_of(args)):
            _blocked()
        return real(*args, **kwargs)

    return guarded


if os.environ.get("VERBATIM_TEST_LOOPBACK") == "1":
    socket.socket.connect = _only_loopback(socket.socket.connect, lambda a: a[1])
    socket.socket.connect_ex = _only_loopback(socket.socket.connect_ex, lambda a: a[1])
    socket.create_connection = _only_loopback(socket.create_connection, lambda a: a[0])
    socket.getaddrinfo = _only_loopback(socket.getaddrinfo, lambda a: (a[0],))
else:
    socket.socket.connect = _blocked
    socket.socket.connect_ex = _blocked
    socket.create_connection = _blocked
    socket.getaddrinfo = _blocked
