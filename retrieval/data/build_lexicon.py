"""Builds english.lexicon.gz, the shipped English word frequencies and WordNet relations.

From the repository root, with Debian's WordNet 3.0 installed (apt-get install wordnet-base)
and wordfreq in the build environment only (pip install -e ".[lexicon]"):

    python -m verbatim.retrieval.data.build_lexicon

The same inputs give the same bytes. Sources: wordfreq (data CC BY-SA 4.0, Robyn Speer; see
WORDFREQ-LICENSE) and WordNet 3.0 (Princeton University; see WORDNET-LICENSE).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.metadata
import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from verbatim.retrieval.words.english import RELATED_CAP

COMMAND = "python -m verbatim.retrieval.data.build_lexicon"
FORMAT_VERSION = "1"
HERE = Path(__file__).resolve().parent
DEFAULT_OUTPUT = HERE / "english.lexicon.gz"
DEFAULT_WORDNET = Path("/usr/share/wordnet")
# Debian's copyright file for wordnet-base carries Princeton's licence text.
DEFAULT_WORDNET_COPYRIGHT = Path("/usr/share/doc/wordnet-base/copyright")
WORDNET_LICENSE_NAME = "WORDNET-LICENSE"
WORDFREQ_LICENSE_NAME = "WORDFREQ-LICENSE"

WORD_COUNT = 100_000
SENSES_PER_POS = 2
# Enough of wordfreq's ranking that WORD_COUNT of it survive the letters-only filter.
RANKED_WORDS_SCANNED = 300_000

# Lowercase letters, with an internal apostrophe or hyphen allowed ("don't", "well-known").
FREQUENCY_WORD = re.compile(r"[a-z]+(?:['-][a-z]+)*\Z")
# WordNet lemmas and related words must be plain single words to be matched against tokens.
PLAIN_WORD = re.compile(r"[a-z]+\Z")
# data.adj marks a word's syntactic position after it: "galore(ip)".
ADJECTIVE_MARKER = re.compile(r"\([a-z]+\)\Z")

# WordNet's part-of-speech letters and file names; a lemma's letters are shipped in this order.
PARTS_OF_SPEECH = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
# "+" is derivationally related form; "\" is an adverb's base adjective ("quickly" -> "quick")
# or an adjective's noun ("monetary" -> "money").
DERIVATION_POINTERS = {"+", "\\"}
EXCEPTION_FILES = ("noun.exc", "verb.exc", "adj.exc")


@dataclass
class Senses:
    offsets: list[int]  # most frequent first
    tagged: int  # how many of them were seen in WordNet's sense-tagged corpus


@dataclass
class Synset:
    words: list[str]
    # (pointer symbol, source word number, target pos, target offset, target word number)
    pointers: list[tuple[str, int, str, int, int]]


class WordNet:
    """Reads the WordNet 3.0 database files: index.*, data.* and *.exc."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._data = {pos: (folder / f"data.{name}").read_bytes() for pos, name in PARTS_OF_SPEECH.items()}
        self._synsets: dict[tuple[str, int], Synset] = {}

    def input_files(self) -> list[Path]:
        names = [f"{kind}.{name}" for name in PARTS_OF_SPEECH.values() for kind in ("index", "data")]
        return [self.folder / name for name in sorted(names + list(EXCEPTION_FILES))]

    def senses(self, pos: str) -> dict[str, Senses]:
        """Each lemma's synsets for one part of speech, most frequent sense first."""
        senses = {}
        for line in (self.folder / f"index.{PARTS_OF_SPEECH[pos]}").read_text("utf-8").splitlines():
            if line.startswith("  "):  # the licence at the head of every database file
                continue
            fields = line.split()
            pointer_count = int(fields[3])
            tagged = int(fields[4 + pointer_count + 1])
            offsets = [int(offset) for offset in fields[4 + pointer_count + 2:]]
            senses[fields[0]] = Senses(offsets, tagged)
        return senses

    def synset(self, pos: str, offset: int) -> Synset:
        """The synset at a byte offset of data.<pos>: offsets in WordNet are file positions."""
        pos = "a" if pos == "s" else pos  # adjective satellites live in data.adj
        key = (pos, offset)
        if key not in self._synsets:
            data = self._data[pos]
            line = data[offset:data.index(b"\n", offset)].decode("utf-8")
            self._synsets[key] = parse_synset(line)
        return self._synsets[key]

    def exceptions(self) -> list[tuple[str, list[str]]]:
        """Irregular forms and their bases ("mice" -> "mouse"), noun, verb then adjective."""
        listed = []
        for name in EXCEPTION_FILES:
            for line in (self.folder / name).read_text("utf-8").splitlines():
                form, *bases = line.split()
                listed.append((form, bases))
        return listed


def parse_synset(line: str) -> Synset:
    fields = line.split(" | ", 1)[0].split()
    word_count = int(fields[3], 16)
    words = [ADJECTIVE_MARKER.sub("", fields[4 + 2 * n]).lower() for n in range(word_count)]
    at = 4 + 2 * word_count
    pointer_count = int(fields[at])
    pointers = []
    for n in range(pointer_count):
        symbol, offset, pos, source_target = fields[at + 1 + 4 * n: at + 5 + 4 * n]
        pointers.append((symbol, int(source_target[:2], 16), pos, int(offset), int(source_target[2:], 16)))
    return Synset(words, pointers)


def frequency_list(count: int) -> dict[str, float]:
    """The most frequent English words that are plain words, with their Zipf frequency."""
    import wordfreq  # only the build needs it, and --help works without it

    zipf = {}
    for word in wordfreq.top_n_list("en", RANKED_WORDS_SCANNED):
        if FREQUENCY_WORD.match(word) and word not in zipf:
            value = wordfreq.zipf_frequency(word, "en")
            # The loader reads a Zipf value as exactly four characters, "d.dd".
            if 0 < value < 10:
                zipf[word] = round(value, 2)
                if len(zipf) == count:
                    break
    return zipf


def chosen_senses(senses: dict[str, Senses]) -> dict[str, list[int]]:
    """The first senses of each part of speech, leaving out parts of speech never seen in use.

    Untagged senses come in no particular order, so without this "go" would bring the street
    names of ecstasy and "do" the musical note; a word with no tagged sense keeps all its parts.
    """
    if not any(found.tagged for found in senses.values()):
        return {pos: found.offsets[:SENSES_PER_POS] for pos, found in senses.items()}
    return {pos: found.offsets[:min(SENSES_PER_POS, found.tagged)]
            for pos, found in senses.items() if found.tagged}


def related_words(wordnet: WordNet, lemma: str, senses: dict[str, list[int]],
                  zipf: dict[str, float]) -> set[str]:
    """A lemma's synonyms and derivations in the given senses, those in the frequency list."""
    related = set()
    for pos, offsets in senses.items():
        for offset in offsets:
            synset = wordnet.synset(pos, offset)
            related.update(synset.words)
            # Only the lemma's own derivations: a synonym's belong to that synonym.
            number = synset.words.index(lemma) + 1 if lemma in synset.words else None
            for symbol, source, target_pos, target_offset, target in synset.pointers:
                if symbol in DERIVATION_POINTERS and source == number:
                    related.add(wordnet.synset(target_pos, target_offset).words[target - 1])
    return {word for word in related if word != lemma and PLAIN_WORD.match(word) and word in zipf}


def by_frequency(words, zipf: dict[str, float]) -> list[str]:
    return sorted(words, key=lambda word: (-zipf[word], word))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def debian_version(package: str) -> str:
    try:
        done = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                              capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip() or "unknown"


def build(wordnet_folder: Path) -> bytes:
    zipf = frequency_list(WORD_COUNT)
    wordnet = WordNet(wordnet_folder)
    senses_by_pos = {pos: wordnet.senses(pos) for pos in PARTS_OF_SPEECH}

    lemmas: dict[str, tuple[str, list[str]]] = {}  # word -> (parts of speech, related words)
    for word in sorted(zipf):
        senses = {pos: by_lemma[word] for pos, by_lemma in senses_by_pos.items() if word in by_lemma}
        if senses and PLAIN_WORD.match(word):
            related = related_words(wordnet, word, chosen_senses(senses), zipf)
            lemmas[word] = "".join(senses), by_frequency(related, zipf)[:RELATED_CAP]

    bases: dict[str, list[str]] = {}
    for form, listed in wordnet.exceptions():
        if PLAIN_WORD.match(form):
            known = bases.setdefault(form, [])
            known += [base for base in listed if base != form and base in lemmas and base not in known]
    bases = {form: by_frequency(listed, zipf) for form, listed in sorted(bases.items()) if listed}

    header = {
        "format": FORMAT_VERSION,
        "command": COMMAND,
        "frequency source": "wordfreq (https://github.com/rspeer/wordfreq), Robyn Speer; "
                            "data CC BY-SA 4.0, code Apache 2.0",
        "wordfreq version": importlib.metadata.version("wordfreq"),
        "relations source": "WordNet 3.0, Princeton University (WordNet 3.0 license)",
        "wordnet package": f"Debian wordnet-base {debian_version('wordnet-base')}",
        **{f"sha256 {path.name}": sha256(path) for path in wordnet.input_files()},
        "words": str(len(zipf)),
        "lemmas": str(len(lemmas)),
        "lemmas with related words": str(sum(1 for _, related in lemmas.values() if related)),
        "related words": str(sum(len(related) for _, related in lemmas.values())),
        "base forms": str(len(bases)),
    }
    text = io.StringIO()
    for key, value in header.items():
        text.write(f"# {key}: {value}\n")
    # Sorted by code point, as the loader's bisection compares them. An entry is "zipf" for a
    # word WordNet lacks, else "zipf parts related,related,..."
    text.write("@words\n")
    for word in sorted(zipf):
        entry = f"{zipf[word]:.2f}"
        if word in lemmas:
            parts, listed = lemmas[word]
            entry += f" {parts} {','.join(listed)}"
        text.write(f"{word}\t{entry}\n")
    text.write("@bases\n")
    text.writelines(f"{form}\t{','.join(listed)}\n" for form, listed in bases.items())

    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, compresslevel=9, mtime=0) as out:
        out.write(text.getvalue().encode("utf-8"))
    return packed.getvalue()


def wordnet_license(debian_copyright: Path) -> str:
    """Princeton's WordNet 3.0 licence, taken out of Debian's machine-readable copyright file."""
    lines = debian_copyright.read_text("utf-8").splitlines()
    start = lines.index("License: WordNet3.0") + 1
    body = []
    for line in lines[start:]:
        if not line.startswith(" "):
            break
        body.append("" if line == " ." else line[1:])
    return ("english.lexicon.gz holds data derived from WordNet 3.0 (synonyms, derivationally\n"
            "related forms and exception lists), under the following licence, as shipped in\n"
            "Debian's wordnet-base package.\n\n" + "\n".join(body).strip() + "\n")


def wordfreq_license(version: str) -> str:
    return f"""\
The word frequencies in english.lexicon.gz (the Zipf frequencies of the {WORD_COUNT:,} most
frequent English words, rounded to two decimals) are taken from wordfreq {version},
https://github.com/rspeer/wordfreq, by Robyn Speer.

wordfreq's data is licensed under the Creative Commons Attribution-ShareAlike 4.0
International licence (CC BY-SA 4.0): https://creativecommons.org/licenses/by-sa/4.0/
The frequencies in english.lexicon.gz are an adaptation of that data and are shared under
the same licence. (wordfreq's code is Apache 2.0; none of it is shipped here.)

wordfreq credits the sources its data is built from: Google Books Ngrams
(http://books.google.com/ngrams); the Leeds Internet Corpus, University of Leeds Centre for
Translation Studies; Wikipedia; ParaCrawl; OPUS OpenSubtitles 2018, from the OpenSubtitles
project (http://www.opensubtitles.org/); the SUBTLEX word lists by Marc Brysbaert et al.
(http://crr.ugent.be/programs-data/subtitle-frequencies); and word counts from Twitter's
streaming API.

Citation: Robyn Speer. (2022). rspeer/wordfreq: v3.0 (v3.0.2). Zenodo.
https://doi.org/10.5281/zenodo.7199437
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordnet", type=Path, default=DEFAULT_WORDNET,
                        help="folder of the WordNet 3.0 database files (default: %(default)s)")
    parser.add_argument("--wordnet-copyright", type=Path, default=DEFAULT_WORDNET_COPYRIGHT,
                        help="Debian copyright file holding the WordNet licence (default: %(default)s)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="lexicon file to write")
    args = parser.parse_args(argv)
    data = build(args.wordnet)
    args.output.write_bytes(data)
    # The licences go beside the shipped data file, wherever the lexicon is written.
    args.output.with_name(WORDNET_LICENSE_NAME).write_text(wordnet_license(args.wordnet_copyright), "utf-8")
    args.output.with_name(WORDFREQ_LICENSE_NAME).write_text(
        wordfreq_license(importlib.metadata.version("wordfreq")), "utf-8")
    print(f"wrote {args.output} ({len(data):,} bytes) and its licences")


if __name__ == "__main__":
    main()
