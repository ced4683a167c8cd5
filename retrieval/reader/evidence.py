"""Find what a sentence holds of each answer type: amounts, dates, ages, names, reasons."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from verbatim.retrieval.index.terms import word_term
from verbatim.retrieval.reader.question import VALUE_TYPES, AnswerType, Question
from verbatim.retrieval.words import english
from verbatim.retrieval.words.lexicon import CURRENCY_WORDS, SPEECH_VERBS, STOPWORDS, words_pattern

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_SCALE = r"(?:thousand|million|billion|trillion|bn|mn|tn|[mkb])"
_AMOUNT = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CURRENCY_WORD = words_pattern(set(CURRENCY_WORDS) | {w.upper() for w in CURRENCY_WORDS})
_NUMBER_WORD = (
    r"(?:once|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundreds?|thousands?|millions?|billions?|dozens?|half|twice|double|triple)"
)

_PATTERNS: list[tuple[AnswerType, re.Pattern[str]]] = [
    (AnswerType.MONEY, re.compile(
        rf"(?:[A-Z]{{1,2}}\$|[$€£¥₹₩₽])\s?(?:{_AMOUNT})(?:\s?{_SCALE}\b)?"
        rf"(?:\s\((?:approximately |about |around |roughly )?[^()]{{1,30}}\))?"
        rf"|\b(?:{_AMOUNT})(?:\s?{_SCALE})?\s{_CURRENCY_WORD}\b"
        rf"(?:\s\((?:approximately |about |around |roughly )?[^()]{{1,30}}\))?"
    )),
    (AnswerType.PERCENT, re.compile(
        rf"\b(?:{_AMOUNT})\s?(?:%|percent\b|per cent\b|percentage points?\b)"
        rf"|\b{_NUMBER_WORD}\s(?:percent|per cent)\b"
    )),
    (AnswerType.AGE, re.compile(
        r"\b\d{1,3}-year-old\b|\baged?\s\d{1,3}\b|\bage of \d{1,3}\b|\b\d{1,3} years? old\b"
        r"|(?<=[a-z]), \d{1,3},(?= )"
    )),
    (AnswerType.DATE, re.compile(
        rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s)?(?:(?<!\w){_MONTH}(?:\.|\b))(?:\s\d{{1,2}}(?:st|nd|rd|th)?\b)?(?:,?\s\d{{4}}\b)?"
        rf"|\b{_WEEKDAY}\b"
        r"|\b(?:1[5-9]|20)\d{2}s?\b(?![,.]?\d)"
        r"|\b(?:last|next|this|earlier this|later this|early|late|mid-?)\s?(?:week|month|year|decade|century|spring|summer|autumn|fall|winter)\b"
        rf"|\b(?:last|next|this|early|late)\s{_MONTH}\b"
        r"|\b(?:yesterday|today|tomorrow|tonight)\b"
        r"|\b(?:\w+|\d+)\s(?:days?|weeks?|months?|years?|decades?)\sago\b"
    )),
    (AnswerType.NUMBER, re.compile(rf"\b(?:{_AMOUNT})\b|\b{_NUMBER_WORD}\b", re.IGNORECASE)),
    (AnswerType.REASON, re.compile(
        r"\b(?:because(?: of)?|due to|owing to|as a result of|thanks to|in order to|so that|"
        r"stems? from|stemming from|caused by|driven by|resulted? (?:in|from)|results? from|"
        r"led to|leads to|the reason|reasons? (?:for|why)|in response to|aimed at|designed to|"
        r"intended to|(?:this|that|it) is (?:for|because|to|why|so|done to|needed to)|"
        r"for (?:this|that) reason|which is why|so as to)\b",
        re.IGNORECASE,
    )),
    (AnswerType.QUOTE, re.compile(r"“[^”]{2,}”|\"[^\"]{2,}\"|«[^»]{2,}»")),
]
# A month name that is also an ordinary word counts only next to a number or a year.
_AMBIGUOUS_MONTHS = re.compile(r"^(?:May|March|Mar|June|Jun|July|Jul|Aug|Sept?)\.?$")

_SPEECH = re.compile(rf"\b(?:{words_pattern(SPEECH_VERBS)}|[Aa]ccording to)\b")
_DEFINITION = re.compile(
    r"\b(?:is|are|was|were) (?:a|an|the)\b|\b(?:refers? to|known as|stands? for|defined as|"
    r"short for|also called)\b|\([A-Z][\w-]{1,12}\)",
)
_MANNER = re.compile(
    r"\bby \w+ing\b|\b(?:through|using|via|thanks to|relying on|focus(?:ed|ing|es)? on|"
    r"by means of|in order to|concentrat(?:ed|ing|es) on)\b",
    re.IGNORECASE,
)
_NAME = re.compile(
    r"(?<![\w’'])[A-Z][\w’'&.-]*(?:\s+(?:(?:of|the|de|van|von|der|al|bin|du|la|and|&)\s+)?[A-Z][\w’'&.-]*)*"
)
_ORG_CUES = frozenset(
    """inc corp co ltd llc plc group company companies bank university agency fund party
    ministry council association institute times post news daily journal press media
    capital management partners partnership holdings technologies technology labs cloud
    foundation commission committee department office service services network networks
    airlines motors systems enterprise enterprises government congress parliament court
    club league union federation organization organisation paper reuters""".split()
)
_PERSON_CUES = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|President|Premier|Prime Minister|Minister|founder|CEO|chief|"
    r"analyst|consultant|director|chairman|spokesman|spokeswoman|editor|author|by|"
    r"Senator|Governor|King|Queen|Pope|General|Judge)\.?\s+$",
)
_PLACE_BEFORE = re.compile(
    r"\b(?:in|at|from|near|across|throughout|outside|inside|to|province of|city of|state of|"
    r"capital of)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_SENTENCE_OPENERS = frozenset(
    """the a an in on at this that these those it its he she they we i but and however as
    after before while when if for with by from during since although though despite
    such one some many most all both each there here what who why how where which
    afterwards meanwhile furthermore moreover hence thus still yet also according""".split()
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """A stretch of a sentence that holds something of one answer type."""

    kind: AnswerType
    start: int
    end: int


def _names(sentence: str) -> list[Evidence]:
    found = []
    opening = _first_word_start(sentence)
    for match in _NAME.finditer(sentence):
        start, end = match.span()
        words = match.group().split()
        # A capitalised sentence opener ("The", "However", "Maintaining") is not a name.
        if start == opening and words:
            first = words[0].lower().strip(".,:;")
            if first in _SENTENCE_OPENERS or first.endswith(("ing", "ly", "ed")) or len(words) == 1:
                start += len(words[0])
                while start < end and sentence[start].isspace():
                    start += 1
                words = words[1:]
        if not words:
            continue
        text = sentence[start:end].rstrip(".,;:’'")
        end = start + len(text)
        based = text.find("-based")
        if based > 0:  # "Texas-based Oracle": a place, then the name it qualifies
            found.append(Evidence(AnswerType.PLACE, start, start + based))
            rest = text[based + len("-based"):]
            skipped = len(rest) - len(rest.lstrip())
            if not rest.strip():
                continue
            start += based + len("-based") + skipped
            text = sentence[start:end]
            words = text.split()
        lowered = {w.lower().strip(".,’'s") for w in text.split()}
        before = sentence[max(0, start - 30) : start]
        if lowered & _ORG_CUES:
            kind = AnswerType.ORGANIZATION
        elif _PLACE_BEFORE.search(before) or sentence[end : end + 6].startswith("-based"):
            kind = AnswerType.PLACE
        elif _PERSON_CUES.search(before) or re.match(r",? \d{1,3},|,? (?:said|says|told)\b", sentence[end:]):
            kind = AnswerType.PERSON
        else:
            kind = AnswerType.ENTITY
        found.append(Evidence(kind, start, end))
    return found


def _first_word_start(sentence: str) -> int:
    match = re.search(r"\w", sentence)
    return match.start() if match else 0


def find_evidence(sentence: str) -> list[Evidence]:
    """Every typed stretch of ``sentence``, in text order; overlaps are resolved so an
    amount is not also counted as a bare number or a date."""
    found: list[Evidence] = []
    # Stretches already claimed, sorted and never overlapping: a sentence of numbers holds
    # thousands of them, so each check looks only at its neighbours.
    taken_starts: list[int] = []
    taken_ends: list[int] = []

    def free(start: int, end: int) -> bool:
        at = bisect_right(taken_starts, start)
        if at and taken_ends[at - 1] > start:
            return False
        return at == len(taken_starts) or taken_starts[at] >= end

    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(sentence):
            start, end = match.span()
            if start == end or not free(start, end):
                continue
            if kind is AnswerType.DATE and _AMBIGUOUS_MONTHS.match(match.group()):
                continue
            found.append(Evidence(kind, start, end))
            if kind is not AnswerType.QUOTE and kind is not AnswerType.REASON:
                at = bisect_right(taken_starts, start)
                taken_starts.insert(at, start)
                taken_ends.insert(at, end)
    for evidence in _names(sentence):
        if free(evidence.start, evidence.end):
            found.append(evidence)
    for pattern, kind in ((_SPEECH, AnswerType.QUOTE), (_DEFINITION, AnswerType.DEFINITION),
                          (_MANNER, AnswerType.MANNER)):
        for match in pattern.finditer(sentence):
            found.append(Evidence(kind, match.start(), match.end()))
    found.sort(key=lambda e: (e.start, e.end))
    return found


# Which evidence answers which question type.
SATISFIES: dict[AnswerType, frozenset[AnswerType]] = {
    AnswerType.PERSON: frozenset({AnswerType.PERSON, AnswerType.ENTITY}),
    AnswerType.ORGANIZATION: frozenset({AnswerType.ORGANIZATION, AnswerType.ENTITY}),
    AnswerType.ENTITY: frozenset({AnswerType.PERSON, AnswerType.ORGANIZATION, AnswerType.ENTITY}),
    AnswerType.PLACE: frozenset({AnswerType.PLACE}),
    AnswerType.DATE: frozenset({AnswerType.DATE}),
    AnswerType.NUMBER: frozenset({AnswerType.NUMBER, AnswerType.MONEY, AnswerType.PERCENT}),
    AnswerType.COUNT: frozenset({AnswerType.NUMBER}),
    AnswerType.MONEY: frozenset({AnswerType.MONEY}),
    AnswerType.PERCENT: frozenset({AnswerType.PERCENT}),
    AnswerType.AGE: frozenset({AnswerType.AGE}),
    AnswerType.REASON: frozenset({AnswerType.REASON}),
    AnswerType.QUOTE: frozenset({AnswerType.QUOTE}),
    AnswerType.DEFINITION: frozenset({AnswerType.DEFINITION}),
    AnswerType.MANNER: frozenset({AnswerType.MANNER}),
}


# -- how far a value reaches: its range and its unit ---------------------------------------
# One value as a range's end is written: "25", "$5", "2.5 million", "40%", "three".
_VALUE = (
    rf"(?:(?:[A-Z]{{1,2}}\$|[$€£¥₹₩₽])\s?)?(?:{_AMOUNT}|{_NUMBER_WORD})"
    rf"(?:\s?{_SCALE}\b)?(?:\s?(?:%|percent\b|per cent\b))?"
)
# "and" joins a range's ends only after "between"; "to", "or" and a dash always do.
_RANGE_BEFORE = re.compile(
    rf"(?:\b(?P<between>between)\s+)?(?<![\w.,$€£¥₹₩₽])(?:{_VALUE})\s*(?P<joint>to|or|and|-|–|—)\s*$",
    re.IGNORECASE,
)
_RANGE_AFTER = re.compile(rf"^\s*(?P<joint>to|or|and|-|–|—)\s*(?:{_VALUE})(?![\w.,]?\d)", re.IGNORECASE)
_SCALE_WORD = re.compile(r"^\s(?:thousand|million|billion|trillion)\b", re.IGNORECASE)
_UNIT_WORD = re.compile(r"^(?P<gap>\s|-)(?P<unit>°[CFK]?|[^\W\d_]+)(?![\w'’])")
# A measurement abbreviation is short: "mg", "oz", "ml", "km", "h".
ABBREVIATION_LETTERS = 3


def _is_unit(word: str, hyphenated: bool, asked: frozenset[str]) -> bool:
    """True for a word that says what a number counts or measures: a currency, a noun the
    lexicon knows ("seconds", "grams", "bar"), a short lower-case abbreviation ("mg", "oz"),
    a degree sign; not a word the question already names ("how many companies")."""
    if word.startswith("°"):
        return True
    lower = word.lower()
    if lower in STOPWORDS or not lower.isalpha():
        return False
    if word_term(word) in asked:
        return False
    if lower in CURRENCY_WORDS and not hyphenated:
        return True
    if word != lower:  # a capitalised word after a number is a name ("10,000 A100"), not its unit
        return False
    return english.is_noun(lower) or (not hyphenated and len(lower) <= ABBREVIATION_LETTERS)


def value_extent(sentence: str, evidence: Evidence, asked: frozenset[str] = frozenset()) -> tuple[int, int]:
    """The characters a value answers with: the evidence, widened to the range it ends or
    begins ("25 to 30", "between 90 and 96", "15 to 20 percent") and, for a bare number, to
    its scale and unit ("63 mg", "1.5 million people", "30-second"). ``asked`` holds the
    question's terms: a unit it names is not repeated."""
    start, end = evidence.start, evidence.end
    if evidence.kind not in (AnswerType.NUMBER, AnswerType.MONEY, AnswerType.PERCENT):
        return start, end
    lead = sentence[max(0, start - 40):start]
    before = _RANGE_BEFORE.search(lead)
    if before and (before.group("joint").lower() != "and" or before.group("between")):
        start -= len(lead) - before.start()
    between = bool(re.search(r"\bbetween\s+$", sentence[:start], re.IGNORECASE))
    if between:  # "between 90 and 96": the range reads from its first word
        start -= len(sentence[:start]) - re.search(r"\bbetween\s+$", sentence[:start], re.IGNORECASE).start()
    after = _RANGE_AFTER.match(sentence[end:end + 40])
    if after and (after.group("joint").lower() != "and" or between):
        end += after.end()
    if evidence.kind is AnswerType.NUMBER:
        scale = _SCALE_WORD.match(sentence[end:])
        if scale:
            end += scale.end()
        unit = _UNIT_WORD.match(sentence[end:])
        if unit and _is_unit(unit.group("unit"), unit.group("gap") == "-", asked):
            end += unit.end()
    return start, end


# -- evidence that depends on where the question's words sit in the sentence -------------
_DEFINITION_AFTER = re.compile(
    r"^[*\"”’')\]]*\s*(?:\([^)]{1,40}\)\s*)?(?:,\s*(?:a|an|the|one of|who|which|deputy|former|"
    r"chief|senior|head|founder|co-founder|[a-z]+-based)\b|\s+(?:is|are|was|were)\s+(?:a|an|the|one)\b"
    r"|\s+(?:means|mean|refers to|stands for|denotes)\b)",
)
_BYLINE = re.compile(
    r"^(?:By|Written by|Reporting by|Reported by|Story by|Words by)\s+[A-Z]"
    r"|\b(?:written|authored) by\s+[A-Z]"
)
_SPEECH_NEAR = 40  # characters between a speaker and a quotation
_SPEAKER_BEFORE = 30  # "Christopher Beddor, deputy ... director, said": the speaker leads
_SPEAKER_AFTER = 25  # "according to its status page", "said Trump"
# "Christopher Beddor, deputy China research director at Gavekal Dragonomics, said".
_APPOSITIVE_SPEAKER = re.compile(r"^(?:['’]s)?\s*,[^,;.]{1,120}(?:,[^,;.]{1,60})?,\s*$")


def is_attributed(sentence: str, evidence: list[Evidence], anchors: list[tuple[int, int]]) -> float:
    """1.0 when one of the question's words speaks in the sentence ("Li told the meeting",
    "according to its status page", "said Trump"); 0.5 when it only stands near a
    quotation; 0.0 otherwise."""
    best = 0.0
    for e in evidence:
        if e.kind is not AnswerType.QUOTE:
            continue
        is_verb = sentence[e.start : e.start + 1] not in "“\"«"
        for start, end in anchors:
            if is_verb and (0 <= e.start - end <= _SPEAKER_BEFORE or 0 <= start - e.end <= _SPEAKER_AFTER
                            or (e.start > end and _APPOSITIVE_SPEAKER.match(sentence[end:e.start]))):
                return 1.0
            if abs(e.start - end) <= _SPEECH_NEAR or abs(start - e.end) <= _SPEECH_NEAR:
                best = 0.5
    return best


def defines(sentence: str, anchors: list[tuple[int, int]]) -> bool:
    """True when the sentence defines one of the question's words: "X is a ...",
    "X, a former ...", "multihead latent attention (X)"."""
    for start, end in anchors:
        if _DEFINITION_AFTER.match(sentence[end:]):
            return True
        if sentence[start - 1 : start] == "(" and sentence[end : end + 1] == ")" and start > 2:
            return True
    return False


def is_byline(sentence: str) -> bool:
    return bool(_BYLINE.search(sentence))


# The answer types whose reading needs the sentence's typed stretches (amounts, names, quotes).
EVIDENCE_TYPES = frozenset(SATISFIES) | {AnswerType.QUOTE, AnswerType.AUTHOR}
# A name of the asked kind within this many characters of a question word stands beside it.
NAME_BESIDE = 3
NAME_TYPES = frozenset({AnswerType.PERSON, AnswerType.ORGANIZATION, AnswerType.ENTITY})
# ... or as the agent of a question word: "founded by 40-year-old Liang Wenfeng".
_AGENT = re.compile(r"^\s+by\s+(?:\S+\s+){0,2}$")


def type_match(question: Question, text: str, evidence: list[Evidence], anchors: list[tuple[int, int]]) -> float:
    """From -1 to +1: does the sentence hold the kind of thing the question asks for,
    beyond what the question already names?"""
    kind = question.answer_type

    def is_new(e: Evidence) -> bool:  # words that only say what kind is asked do not count
        return not any(s < e.end and e.start < t for s, t in anchors)

    if kind is AnswerType.QUOTE:
        attribution = is_attributed(text, evidence, anchors)
        if attribution:
            return attribution
        return -0.5 if any(e.kind is AnswerType.QUOTE for e in evidence) else -1.0
    if kind is AnswerType.AUTHOR:
        return 1.0 if is_byline(text) else -0.5
    if kind is AnswerType.DEFINITION:
        return 1.0 if defines(text, anchors) else -0.3
    wanted = SATISFIES.get(kind)
    if not wanted:
        return 0.0
    found = [e for e in evidence if e.kind in wanted and is_new(e)]
    if found:
        # A name set right beside a word of the question ("its founder, Liang Wenfeng")
        # is its answer more surely than one elsewhere in the sentence.
        beside = any(
            0 <= e.start - t <= NAME_BESIDE or 0 <= s - e.end <= NAME_BESIDE
            or (0 <= e.start - t and _AGENT.match(text[t : e.start]))
            for e in found for s, t in anchors
        )
        return 1.5 if beside and kind in NAME_TYPES else 1.0
    if kind in VALUE_TYPES:
        return -1.0
    return -1.0 if kind is AnswerType.REASON else 0.0
