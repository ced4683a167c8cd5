"""Manual pages as shipped: roff source (man macros), gzip-compressed or not, read into the document model."""

from __future__ import annotations

import gzip
import re
import zlib

from verbatim.corpus.document import Block, Document, Rendered
from verbatim.corpus.formats import Unreadable
from verbatim.corpus.segment import UnitKind, name_line_names

# The most text unpacked from one compressed page: the longest pages are a few hundred KB.
MAX_TEXT_BYTES = 32 * 2**20
# Special characters by their roff names (groff_char(7)); an unknown one reads as nothing.
_CHARS = {
    "em": "—", "en": "–", "hy": "-", "mi": "-", "lq": "“", "rq": "”", "oq": "‘", "cq": "’", "aq": "'", "dq": '"',
    "bu": "•", "co": "©", "rg": "®", "tm": "™", "de": "°", "mu": "×", "di": "÷", "+-": "±", "<=": "≤", ">=": "≥",
    "!=": "≠", "->": "→", "<-": "←", "ga": "`", "ti": "~", "ha": "^", "rs": "\\", "sl": "/", "ba": "|", "at": "@",
    "sh": "#", "Do": "$", "fm": "′", "sd": "″", "pl": "+", "eq": "=", "lB": "[", "rB": "]", "lC": "{", "rC": "}",
}
_STRINGS = {"lq": "“", "rq": "”", "R": "®", "Tm": "™", "S": ""}
# An escape and what it reads as: a function of the match, or a fixed text.
_ESCAPE = re.compile(
    r"\\(?:"
    r"f(?:\[[^\]\n]*\]|\(..|.)"        # font change
    r"|s[-+]?(?:\d\d?|\(\d\d|\[\d+\])"  # size change
    r"|\((?P<two>..)|\[(?P<named>[^\]\n]*)\]"  # a special character
    r"|\*(?:\((?P<s2>..)|\[(?P<sn>[^\]\n]*)\]|(?P<s1>.))"  # a string
    r"|[kgmnYV](?:\(..|\[[^\]\n]*\]|.)"  # registers, colours, environment: nothing shown
    r"|[hvwoDlLNbxXZR]'[^'\n]*'"          # motions and drawing: nothing shown
    r"|\"[^\n]*"                         # a comment, to the line's end
    r"|(?P<one>.)"
    r")"
)
_ONE = {"-": "-", "e": "\\", "\\": "\\", "~": " ", " ": " ", "0": " ", "t": " ", "'": "´", "`": "`", ".": ".",
        "&": "", "|": "", "^": "", "%": "", "c": "", "p": "", "a": "", "d": "", "u": "", "r": "", "z": "",
        "/": "", ",": "", ")": "", "{": "", "}": "", "!": "", "E": "\\"}
_FONT_MACROS = {"B", "I", "SM", "SB", "BR", "RB", "IR", "RI", "BI", "IB"}
_BREAKS = {"PP", "LP", "P", "sp", "HP", "RS", "RE", "in", "ti", "ne", "bp", "Sp"}
_CODE_START, _CODE_END = {"nf", "EX"}, {"fi", "EE"}


def extract_roff(raw: bytes) -> tuple[str, list[str]]:
    """The roff source of a manual page, unpacked when compressed with gzip. Raises Unreadable."""
    if raw[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=__import__("io").BytesIO(raw)) as packed:
                raw = packed.read(MAX_TEXT_BYTES + 1)
        except (OSError, EOFError, zlib.error) as error:
            raise Unreadable(f"skipped, not a readable compressed manual page ({error})") from None
        if len(raw) > MAX_TEXT_BYTES:
            raise Unreadable(f"skipped, unpacks to more than {MAX_TEXT_BYTES // 2**20} MB (the most read from one page)")
    if b"\x00" in raw[:8192]:
        raise Unreadable("skipped, binary file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    text = text.replace("\r\n", "\n")
    if not re.search(r"^[.'][ \t]*(?:TH|SH|Dd|Sh)\b", text, re.MULTILINE):
        raise Unreadable("skipped, not a manual page (no .TH or .SH request)")
    return text, []


def _render(out: Rendered, source: str, start: int, end: int) -> None:
    """Append ``source[start:end]``, a run of text with escapes, as it reads."""
    at = start
    for escape in _ESCAPE.finditer(source, start, end):
        if escape.start() > at:
            out.copy(source, at, escape.start())
        at = escape.end()
        shown = ""
        if escape.group("two") is not None:
            shown = _CHARS.get(escape.group("two"), "")
        elif escape.group("named") is not None:
            name = escape.group("named")
            shown = _CHARS.get(name, chr(int(name[2:], 16)) if re.fullmatch(r"u[0-9A-Fa-f]{4,6}", name[1:] and name) else "")
        elif escape.group("s2") or escape.group("sn") or escape.group("s1"):
            shown = _STRINGS.get(escape.group("s2") or escape.group("sn") or escape.group("s1"), "")
        elif escape.group("one") is not None:
            shown = _ONE.get(escape.group("one"), escape.group("one"))
        if shown:
            out.put(shown, escape.start())
    if at < end:
        out.copy(source, at, end)


def _arguments(source: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of a macro's arguments: words, or "quoted strings" without their quotes."""
    spans = []
    for found in re.finditer(r'"((?:[^"\n]|"")*)"?|(\S+)', source[start:end]):
        group = 1 if found.group(1) is not None else 2
        spans.append((start + found.start(group), start + found.end(group)))
    return spans


# A variable list's term: one short line that does not end a sentence or lead into what
# follows ("PASS_MAX_DAYS (number)", "-v, --verbose"; not "For example:").
TERM_MAX_CHARACTERS = 80


def _is_term(text: str) -> bool:
    text = text.strip()
    return 0 < len(text) <= TERM_MAX_CHARACTERS and not text.endswith((".", ":", "!", "?", ";"))


# A table row of nothing but rules ("_", "=", with column bars between).
_RULE = re.compile(r"[_=](?:\s*\|?\s*[_=])*")


def _mark_header_row(formats: list[str], rows: list[Block | None]) -> None:
    """A tbl table's first row is its header when a rule sets it apart: a rule line right
    after it, or a second format line of rules only ("l | l", "_ | _", "lI | l .")."""
    lines = [f.strip().rstrip(".").strip() for f in formats if not f.rstrip().endswith(";")]
    ruled = len(rows) >= 2 and rows[1] is None
    ruled = ruled or (len(lines) >= 2 and _RULE.fullmatch(lines[1].replace(" ", "")) is not None)
    first = rows[0] if rows else None
    if ruled and first is not None and len([r for r in rows if r is not None]) >= 2:
        first.kind = UnitKind.HEADER_ROW


def read_roff(source: str) -> Document:
    """A manual page's roff source as blocks: .SH and .SS headings, paragraphs (.PP, .LP,
    .IP, .TP's tag with its text as one definition), .nf/.EX lines as code, tables (.TS)
    row by row; font and size changes read as the text they set, special characters as
    the characters they name; other requests are left out."""
    document = Document()
    block = Rendered()
    kind = UnitKind.TEXT
    code = table = False
    pending_heading = 0  # the next text line is a .SH/.SS heading given without arguments
    tagged = False  # the next text line is a .TP tag; its description joins it
    table_formats: list[str] = []  # the table's option and format lines, before its first row
    table_rows: list[Block | None] = []  # its rows so far (None: a rule between them)

    block_lines = 0  # text lines in the block so far

    section = ""  # the .SH heading the text is under

    def flush() -> None:
        nonlocal block, kind, block_lines
        if block.parts and block.text.strip():
            if kind is UnitKind.TEXT and section == "NAME" and name_line_names(block.text) is not None:
                kind = UnitKind.DEFINITION  # the page's names and what they are
            document.blocks.append(Block(kind, block, by_line=kind is UnitKind.CODE))
        block, kind, block_lines = Rendered(), (UnitKind.CODE if code else UnitKind.TEXT), 0

    def heading(level: int, spans: list[tuple[int, int]]) -> None:
        nonlocal section
        out = Rendered()
        for s, e in spans:
            out.space(s)
            _render(out, source, s, e)
        if out.text.strip():
            document.blocks.append(Block(UnitKind.HEADING, out, level))
            if level == 1:
                section = out.text.strip().upper()

    position = 0
    for line in source.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        request = re.match(r"^[.'][ \t]*(\S*)", line)
        if request:
            name = request.group(1)
            args = _arguments(source, start + request.end(), end)
            if name.startswith('\\"') or not name:
                continue
            if name == "TH":
                if args:
                    title = Rendered()
                    _render(title, source, *args[0])  # "LOGIN\&.DEFS" reads "LOGIN.DEFS"
                    section = f"({source[args[1][0]:args[1][1]]})" if len(args) > 1 else ""
                    document.title = title.text + section
                continue
            if name == "RS" and kind is UnitKind.TEXT and block_lines == 1 and _is_term(block.text):
                # DocBook's variable lists: a paragraph of one short line, then its
                # description indented (.PP, "PASS_MAX_DAYS (number)", .RS 4, text, .RE):
                # the term and its text are one definition, as a .TP's tag and text are.
                kind = UnitKind.DEFINITION
                block.space(end)
                continue
            if name in ("SH", "SS"):
                flush()
                level = 1 if name == "SH" else 2
                if args:
                    heading(level, args)
                else:
                    pending_heading = level
                continue
            if name in _CODE_START:
                flush()
                code, kind = True, UnitKind.CODE
                continue
            if name in _CODE_END:
                code = False
                flush()
                continue
            if name == "TS":
                flush()
                table, table_formats, table_rows = True, [], []
                continue
            if name == "TE":
                table = False
                _mark_header_row(table_formats, table_rows)
                continue
            if name == "TP":
                flush()
                kind, tagged = UnitKind.DEFINITION, True
                continue
            if name == "IP":
                flush()
                kind = UnitKind.ITEM if args else UnitKind.TEXT
                if args and source[args[0][0]:args[0][1]] not in ("\\(bu", "\\[bu]", "*", "-", "\\-"):
                    kind = UnitKind.DEFINITION
                    _render(block, source, *args[0])
                continue
            if name in _FONT_MACROS:
                alternating = len(name) == 2 and name not in ("SM", "SB")
                if not alternating:
                    block.space(start)
                for i, (s, e) in enumerate(args):
                    if i == 0 or not alternating:
                        block.space(s)
                    _render(block, source, s, e)
                if tagged:
                    tagged = False
                    block.space(end)
                continue
            if name in ("UR", "MT", "UE", "ME"):
                if name in ("UE", "ME") and args:
                    _render(block, source, *args[0])
                continue
            if name == "br" and code is False:
                block.put("\n", start)
                continue
            if name in _BREAKS:
                flush()
            continue
        if table:
            if line.rstrip().endswith(".") and not block.parts and not re.search(r"\s", line.strip()[:-1].replace(" ", "")):
                table_formats.append(line)
                continue  # the table's format line ("l l.")
            if re.fullmatch(r"[lcrnsa^_|\s.0-9bi()ewtpfzvLCRNSABIEWTPFZV,-]+;?", line.strip()):
                if not table_rows:
                    table_formats.append(line)
                elif _RULE.fullmatch(line.strip()) and len(table_rows) == 1:
                    table_rows.append(None)  # a rule under the first row: it is the header
                continue  # its options or format lines
            row = Rendered()
            for i, cell in enumerate(line.split("\t")):
                cell_start = start + sum(len(c) + 1 for c in line.split("\t")[:i])
                if i:
                    row.put(" | ", cell_start)
                _render(row, source, cell_start, cell_start + len(cell))
            if row.text.strip():
                document.blocks.append(Block(UnitKind.ROW, row))
                table_rows.append(document.blocks[-1])
            continue
        if pending_heading:
            heading(pending_heading, [(start, end)])
            pending_heading = 0
            continue
        if code:
            _render(block, source, start, end)
            block.put("\n", end)
            continue
        if not line.strip():
            flush()
            continue
        block.space(start)
        _render(block, source, start, end)
        block_lines += 1
        if tagged:
            tagged = False
            block.space(end)
    flush()
    return document
