"""Loaded by every Python process the tests start: any network connection fails loudly."""

import socket


class NetworkBlocked(RuntimeError):
    """Raised when code under test tries to reach the network."""


def _blocked(*args, **kwargs):
    raise NetworkBlocked("network access attempted during tests")


socket.socket.connect = _blocked
socket.socket.connect_ex = _blocked
socket.create_connection = _blocked
socket.getaddrinfo = _blocked
