"""Zip archives (EPUB, Word, OpenDocument) opened with bounds: members read within a budget, XML without entities."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

from verbatim.corpus.formats import Unreadable

# The most bytes unpacked from one archive, all members together: a book of text is a few
# megabytes unpacked; a zip bomb (a small file unpacking to gigabytes) stops here, the
# unpacking itself bounded (members are read in pieces, whatever their headers claim).
MAX_UNPACKED_BYTES = 256 * 2**20
_PIECE = 2**20


class Archive:
    """The members of a zip file, read by name within one budget of unpacked bytes."""

    def __init__(self, raw: bytes, kind: str) -> None:
        self.kind = kind
        if raw[:4] == b"\xd0\xcf\x11\xe0":  # an OLE compound file: how Office stores a file locked by a password
            raise Unreadable(f"skipped, encrypted: the {kind} file needs a password (or it is an old binary format)")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(raw))
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise Unreadable(f"skipped, not a readable {kind} file (a damaged zip archive: {error})") from None
        self.budget = MAX_UNPACKED_BYTES
        self.names = set(self.zip.namelist())
        if any(info.flag_bits & 0x1 for info in self.zip.infolist()):
            raise Unreadable(f"skipped, encrypted: the {kind} file needs a password")

    def read(self, name: str) -> bytes | None:
        """The unpacked bytes of member ``name``; None when there is no such member."""
        if name not in self.names:
            return None
        pieces = []
        try:
            with self.zip.open(name) as member:
                while True:
                    piece = member.read(min(_PIECE, self.budget + 1))
                    if not piece:
                        break
                    self.budget -= len(piece)
                    if self.budget < 0:
                        raise Unreadable(f"skipped, unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB "
                                         f"(the most unpacked from one {self.kind} file)")
                    pieces.append(piece)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as error:
            # RuntimeError: a member zipfile cannot unpack (a password, an unknown method).
            raise Unreadable(f"skipped, not a readable {self.kind} file ({name}: {error})") from None
        return b"".join(pieces)

    def xml(self, name: str) -> ET.Element | None:
        """Member ``name`` parsed as XML; None when there is none. A document declaring
        entities is refused: nothing in these formats needs them, and expanding them is how
        a small file asks for unbounded memory."""
        data = self.read(name)
        if data is None:
            return None
        if b"<!ENTITY" in data or b"<!entity" in data:
            raise Unreadable(f"skipped, {name} declares XML entities (refused: a {self.kind} file needs none)")
        try:
            return ET.fromstring(data)
        except ET.ParseError as error:
            raise Unreadable(f"skipped, not a readable {self.kind} file ({name}: {error})") from None


def local(tag: str) -> str:
    """An element's name without its namespace ("{urn:...}p" is "p")."""
    return tag.rsplit("}", 1)[-1]
