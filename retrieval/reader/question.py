"""Question analysis: the wh-form, the kind of answer asked for, and the content terms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import Enum

from verbatim.retrieval.index.terms import WORD, Token, tokens
from verbatim.retrieval.words import english
from verbatim.retrieval.words.lexicon import CURRENCY_WORDS, SPEECH_VERBS, words_pattern

# The longest question read. A question is a sentence or two; past this it is a pasted
# document, and reading it against the corpus would take seconds for nothing.
MAX_QUESTION_CHARS = 2000


class QuestionTooLong(ValueError):
    """A question longer than MAX_QUESTION_CHARS: the message says so in one line."""

    def __init__(self, length: int) -> None:
        super().__init__(f"the question is too long: {length:,} characters (at most {MAX_QUESTION_CHARS:,})")
        self.length = length


def check_length(question: str) -> None:
    """Raise QuestionTooLong for a question past the limit (white space around it aside)."""
    length = len(question.strip())
    if length > MAX_QUESTION_CHARS:
        raise QuestionTooLong(length)


class AnswerType(str, Enum):
    """The kind of thing a question asks for."""

    PERSON = "person"
    ORGANIZATION = "organization"
    ENTITY = "entity"  # "who" or "which X": a person or an organisation
    DATE = "date"
    NUMBER = "number"  # "how much": a quantity, an amount or a share
    COUNT = "count"  # "how many": things counted
    MONEY = "money"
    PERCENT = "percent"
    AGE = "age"
    PLACE = "place"
    REASON = "reason"
    DEFINITION = "definition"
    QUOTE = "quote"
    MANNER = "manner"
    AUTHOR = "author"
    YESNO = "yes/no"
    OTHER = "other"


# Types whose answer is a value the sentence must hold: a sentence without one does not
# answer, however many question words it repeats.
VALUE_TYPES = frozenset(
    {AnswerType.DATE, AnswerType.NUMBER, AnswerType.COUNT, AnswerType.MONEY, AnswerType.PERCENT,
     AnswerType.AGE}
)

# The noun a "which/what X" question names, mapped to the kind of answer (general English,
# after Li & Roth's question classes). A focus noun names the answer, so a sentence need not
# repeat it: it counts for little in coverage.
FOCUS_TYPES = {
    AnswerType.PERSON: "person people man men woman women analyst author editor writer "
    "founder ceo chief executive president premier minister leader official spokesman "
    "spokeswoman spokesperson director chairman consultant expert scientist researcher "
    "journalist reporter player actor artist singer king queen emperor",
    AnswerType.ORGANIZATION: "company companies firm firms organization organisation "
    "organizations agency agencies outlet outlets newspaper newspapers publication "
    "publications media magazine channel network bank banks university universities "
    "group groups party parties team teams institution government governments startup "
    "startups investor investors partner partners brand maker makers manufacturer fund "
    "funds giant giants rival rivals competitor competitors",
    AnswerType.PLACE: "place places country countries city cities province provinces state "
    "states region regions town towns location locations continent area capital village "
    "district county island",
    AnswerType.DATE: "year years date dates day days month months time century decade "
    "season week",
    AnswerType.PERCENT: "percentage percent proportion share",
    AnswerType.MONEY: "amount price cost valuation sum fee budget salary revenue worth",
    AnswerType.NUMBER: "number count total quantity population",
    AnswerType.AGE: "age",
    AnswerType.DEFINITION: "job occupation profession career role position title meaning "
    "definition background",
}
FOCUS_NOUNS = {noun: kind for kind, nouns in FOCUS_TYPES.items() for noun in nouns.split()}

# Words that point at the corpus rather than the topic ("according to the article").
META_WORDS = frozenset(
    "article articles text texts passage passages document documents corpus story "
    "stories mention mentioned mentions please".split()
)
# How much a question word counts against 1.0 for a word of its topic. A word that points
# at the corpus ("according to the article") is rarely in the answer; a word that says what
# kind of answer is wanted (the asked-for noun "year", a speech verb for a quote, "old" for
# an age, the measured word of "How long …") often stands beside the answer but is not what
# the sentence is about. They shape the features the reader learns from, so they are set
# here, not learned; both at 1 cost SQuAD validation 7 of 1,000 answers (docs/training.md).
META_WEIGHT = 0.2
ANSWER_CUE_WEIGHT = 0.3

_WH = re.compile(r"\b(who|whom|whose|what|which|when|where|why|how)\b", re.IGNORECASE)
_YESNO_START = re.compile(
    r"^\s*(is|are|was|were|do|does|did|can|could|will|would|has|have|had|should|shall|may|might|must)\b",
    re.IGNORECASE,
)
# The wh-word that asks the question: the first one, unless another clause leads
# ("Since Python 3.8, which ...", "In which province ...").
_SPEECH_VERB = words_pattern(SPEECH_VERBS)
_CURRENCY = words_pattern(set(CURRENCY_WORDS))
_AUTHOR_VERB = r"(?:wrote|written|writes|write|authored|penned|byline)"

# Rules applied to the text from the wh-word on; the first that matches decides.
_RULES: list[tuple[str, re.Pattern[str], AnswerType]] = [
    ("how", re.compile(r"^how old\b", re.I), AnswerType.AGE),
    ("what", re.compile(r"^(?:what|which) age\b", re.I), AnswerType.AGE),
    ("*", re.compile(r"^(?:what|which) (?:percentage|percent|proportion|share)\b|^by how much\b|^how many percent", re.I), AnswerType.PERCENT),
    ("how", re.compile(rf"^how (?:many|much) (?:money|{_CURRENCY})\b|^how much\b.*\b(?:money|capital|cash|funding|cost|costs|worth|pay|paid|spend|spent|raise|raised|invest|invested|price|priced|valued|charge|charged|earn|earned|sell|sold|buy|bought|fund|lose|lost)\b", re.I), AnswerType.MONEY),
    ("how", re.compile(r"^how many\b", re.I), AnswerType.COUNT),
    ("how", re.compile(r"^how much\b", re.I), AnswerType.NUMBER),
    ("how", re.compile(r"^how long ago\b", re.I), AnswerType.DATE),
    # A measure: a duration, distance, size, speed, temperature, weight or frequency (Li &
    # Roth's numeric classes), answered by a number with its unit ("25 to 30 seconds").
    ("how", re.compile(r"^how (?:long|far|tall|high|big|large|heavy|fast|deep|wide|hot|warm|cold|often)\b", re.I), AnswerType.NUMBER),
    # "When is it useful?" asks in what case, not on what date; "When was it founded?" a date.
    ("when", re.compile(r"^when (?:is|are|does|do|can|could|should|must|would|will|may|might)\b(?!.*\b(?:held|due|scheduled|released|published|expected|launched|announced|opening|deadline)\b)", re.I), AnswerType.OTHER),
    ("when", re.compile(r"^when\b", re.I), AnswerType.DATE),
    ("where", re.compile(r"^where\b", re.I), AnswerType.PLACE),
    ("why", re.compile(r"^why\b", re.I), AnswerType.REASON),
    ("how", re.compile(r"^how come\b", re.I), AnswerType.REASON),
    ("what", re.compile(r"^what (?:is |was |were |are )?(?:the )?(?:reason|cause|causes|purpose)\b|^what (?:caused|causes|led to|drove|drives)\b|^for what reason\b", re.I), AnswerType.REASON),
    ("who", re.compile(rf"^who (?:\w+ )?{_AUTHOR_VERB}\b|^who is the (?:author|writer|reporter)\b", re.I), AnswerType.AUTHOR),
    ("*", re.compile(rf"^(?:what|how) (?:did|does|do|has|had|have|will|would) .*\b{_SPEECH_VERB}\b|^what (?:was|is|were) (?:said|stated|written)\b", re.I), AnswerType.QUOTE),
    ("what", re.compile(r"^what (?:does|did|do) .+ (?:stand for|mean)\b|^what is (?:meant by|the meaning of|the definition of)\b|^what (?:is|are|was|were) (?!\w+(?:ed|en)\b)(?:an? |the )?(?:\S+ ?){1,6}(?<!ed)(?<!ed\?)\??$", re.I), AnswerType.DEFINITION),
    ("who", re.compile(r"^who (?:is|was|are|were) [^,?]{1,40}\??$", re.I), AnswerType.DEFINITION),
    ("who", re.compile(r"^(?:who|whom|whose)\b", re.I), AnswerType.ENTITY),
    ("how", re.compile(r"^how\b", re.I), AnswerType.MANNER),
]


def _asking_wh(text: str) -> re.Match[str] | None:
    """The wh-word of the main question, not of a clause ("... when you delete ...")."""
    first = _WH.search(text)
    if first is None:
        return None
    lead = text[: first.start()].strip().lower()
    # A wh-word counts when it opens the question, follows a preposition or a fronted
    # phrase ending in a comma, or the question is declarative with a final "what/who".
    if not lead or lead.endswith(",") or len(lead.split()) <= 2:
        return first
    return None if _YESNO_START.match(text) else first


@dataclass(frozen=True, slots=True)
class QuestionTerm:
    """A content term of the question, and how it was written there."""

    term: str
    surface: str
    kind: str
    proper: bool  # capitalised inside the question, or written with digits: a name or value
    weight: float  # 1.0, or less for words that describe the answer rather than the topic
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Concept:
    """One thing the question names: a word, or a multi-word name ("Radio Free Asia")."""

    terms: tuple[str, ...]
    proper: bool
    weight: float
    surface: str
    carried: bool = False  # brought in from the previous turn of a conversation


@dataclass(slots=True)
class Question:
    """What a question asks, as the selector needs it."""

    text: str
    wh: str | None
    answer_type: AnswerType
    focus: str | None
    terms: list[QuestionTerm] = field(default_factory=list)
    concepts: list[Concept] = field(default_factory=list)
    carry_share: float = 0.5  # in a conversation: the most carried concepts weigh, against its own

    @property
    def content(self) -> list[str]:
        """Distinct content terms, in question order."""
        return list(dict.fromkeys(t.term for t in self.terms))

    @property
    def asks_for_code(self) -> bool:
        """True when the question asks for a command, its syntax or an example: then a line
        of code may answer it; otherwise prose comes first."""
        return bool(_ASKS_FOR_CODE.search(self.text))


# Words by which a question asks for a command or code rather than an explanation.
_ASKS_FOR_CODE = re.compile(
    r"\b(?:commands?|syntax|examples?|invoke|invocation|usage|snippet|code|run|write|"
    r"what (?:do|should) (?:i|you) (?:type|run|enter))\b",
    re.IGNORECASE,
)

_AUXILIARIES = frozenset(
    "is are was were do does did has have had can could will would should shall may might must".split()
)
_PHRASE_END = _AUXILIARIES | frozenset(
    """of in on for to by from with at about as that than before after during between under
    over into through against among within without besides since until reported said made
    led""".split()
)
_COPULAS = frozenset({"is", "are", "was", "were"})
# Words that follow a verb rather than a noun: "runs when", "goes into", "holds the".
_VERB_FOLLOWERS = frozenset(
    """when where why how what which who if whether into onto upon the a an this that these
    those its his her their my our your it them him us me""".split()
)
_DETERMINERS = frozenset({"a", "an", "the", "this", "that", "these", "those", "its", "his", "her", "their"})


def _focus_noun(text: str) -> str | None:
    """The head noun right after 'which'/'what': 'which media outlet' gives 'outlet'."""
    match = re.search(r"\b(?:which|what)\s+(.*)", text, re.IGNORECASE)
    if not match:
        return None
    words = re.findall(r"[\w'’-]+", match.group(1).lower())
    if words and words[0] in _COPULAS:  # "what is the capital of ...": the noun after
        words = words[1:]
        if words and words[0] in _DETERMINERS:
            words = words[1:]
    phrase: list[str] = []
    for i, word in enumerate(words[:4]):
        if word in _PHRASE_END:
            break
        following = words[i + 1] if i + 1 < len(words) else ""
        if phrase and following in _VERB_FOLLOWERS:  # "which suite runs when ...": a verb
            break
        phrase.append(word)
    if not phrase:
        return None
    for word in reversed(phrase):
        if word in FOCUS_NOUNS:
            return word
    return phrase[-1]


def _classify(text: str, wh: re.Match[str] | None, focus: str | None) -> AnswerType:
    if wh is None:
        return AnswerType.YESNO if _YESNO_START.match(text) else AnswerType.OTHER
    word = wh.group(1).lower()
    rest = text[wh.start():]
    if re.match(r"^by how much\b", text[max(0, wh.start() - 3):], re.I):
        return AnswerType.PERCENT
    for key, pattern, kind in _RULES:
        if key not in ("*", word) and not (key == "who" and word in ("whom", "whose")):
            continue
        if pattern.search(rest):
            if kind is AnswerType.ENTITY and focus in FOCUS_NOUNS:
                return FOCUS_NOUNS[focus]
            if kind is AnswerType.DEFINITION and word == "what" and focus in FOCUS_NOUNS:
                return FOCUS_NOUNS[focus]
            return kind
    if focus in FOCUS_NOUNS:
        return FOCUS_NOUNS[focus]
    return AnswerType.OTHER


def _is_proper(surface: str, token: Token, first_word_start: int) -> bool:
    surface = surface.strip("\"“”`")
    if token.kind != WORD or any(c.isdigit() for c in surface):
        return True
    return surface[:1].isupper() and token.start != first_word_start


def _concepts(question: str, found: list[QuestionTerm]) -> list[Concept]:
    """Group adjacent name parts ("Li Qiang", "High-Flyer", "$500 billion") into one concept,
    so a three-word name does not outweigh the rest of the question three times over."""
    groups: list[list[QuestionTerm]] = []
    for term in found:
        if groups:
            last = groups[-1][-1]
            between = question[last.end : term.start]
            joined = term.start < last.end or (between.strip(" -") == "" and len(between) <= 2)
            if joined and last.proper and term.proper:
                groups[-1].append(term)
                continue
        groups.append([term])
    return [
        Concept(
            tuple(dict.fromkeys(t.term for t in group)),
            all(t.proper for t in group),
            max(t.weight for t in group),
            question[group[0].start : group[-1].end],
        )
        for group in groups
    ]


# A request for information rather than a question: "Tell me about X", "Describe X", "What
# can you tell me about X?". Its words ask; what follows is the topic, asked as "What is X?"
# (or as the wh-question it holds: "Explain how X works").
_REQUEST = re.compile(
    r"^(?:please,?\s+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?)?"
    r"(?:tell\s+(?:me|us)\s+(?:(?:a\s+(?:bit|little)\s+)?more\s+|something\s+|everything\s+|all\s+)?"
    r"(?:about|of|on)"
    r"|(?:give|show)\s+(?:me|us)\s+(?:some\s+)?(?:information|info|details|an?\s+(?:overview|summary))\s+(?:about|on|of)"
    r"|describe|explain|summari[sz]e|define"
    r"|what\s+(?:can|could)\s+you\s+tell\s+(?:me|us)\s+about"
    r"|what\s+do\s+you\s+know\s+about"
    r"|what\s+is\s+known\s+about"
    r"|i(?:\s+would|'d|’d)?\s+(?:like|want)\s+to\s+know\s+(?:more\s+)?about"
    r"|(?:more\s+)?(?:information|info)\s+(?:about|on))\s+(?=\S)",
    re.IGNORECASE,
)


def _as_request(question: str) -> Question | None:
    """A request for information read as the question it makes, its terms placed in the
    request's own text; None when ``question`` is not one."""
    request = _REQUEST.match(question)
    if request is None:
        return None
    topic = question[request.end():].rstrip(" ?.!")
    if not topic:
        return None
    wh_first = _WH.match(topic) is not None
    asked = f"{topic}?" if wh_first else f"What is {topic}?"
    shift = request.end() - (0 if wh_first else len("What is "))
    inner = analyze(asked)
    found = [QuestionTerm(t.term, t.surface, t.kind, t.proper, t.weight, t.start + shift, t.end + shift)
             for t in inner.terms]
    return Question(question, inner.wh, inner.answer_type, inner.focus, found, _concepts(question, found))


def _measured_word(question: str, wh: re.Match[str] | None) -> int | None:
    """Where the adjective or adverb of a "how" question starts ("How long", "How far", "How
    often"): it names the kind of answer, a length or a frequency, not the topic, and a
    sentence that answers need not repeat it. None when there is none."""
    if wh is None or wh.group(1).lower() != "how":
        return None
    following = re.match(r"\s+([A-Za-z]+)\b", question[wh.end():])
    if following is None:
        return None
    parts = english.parts_of_speech(following.group(1).lower())
    return wh.end() + following.start(1) if ("a" in parts or "r" in parts) else None


def analyze(text: str) -> Question:
    """Analyse a question: its wh-word, answer type, focus noun and weighted content terms.
    A request ("Tell me about X") is read as the question it makes ("What is X?")."""
    question = " ".join(text.split())
    request = _as_request(question)
    if request is not None:
        return request
    wh_match = _asking_wh(question)
    wh = wh_match.group(1).lower() if wh_match else None
    focus = _focus_noun(question[wh_match.start():]) if wh_match else None
    answer_type = _classify(question, wh_match, focus)
    cue = {
        AnswerType.QUOTE: re.compile(rf"^{_SPEECH_VERB}$", re.I),
        AnswerType.AUTHOR: re.compile(rf"^{_AUTHOR_VERB}$", re.I),
        AnswerType.AGE: re.compile(r"^(?:old|age|aged)$", re.I),
        # "What does MLA stand for?": the verb asks for a definition, it is not the topic.
        AnswerType.DEFINITION: re.compile(r"^(?:stand|stands|stood|mean|means|meant)$", re.I),
    }.get(answer_type)
    first_word = re.search(r"\w", question)
    first_start = first_word.start() if first_word else 0
    found: list[QuestionTerm] = []
    measured = _measured_word(question, wh_match)
    for token in tokens(question):
        surface = question[token.start : token.end]
        lower = surface.lower().strip("\"“”`")
        weight = 1.0
        if lower in META_WORDS:
            weight = META_WEIGHT
        elif (focus and lower == focus and focus in FOCUS_NOUNS) or (cue and cue.match(lower)) \
                or token.start == measured:
            weight = ANSWER_CUE_WEIGHT
        found.append(
            QuestionTerm(token.term, surface, token.kind, _is_proper(surface, token, first_start),
                         weight, token.start, token.end)
        )
    return Question(question, wh, answer_type, focus, found, _concepts(question, found))


# Prepositions that set a document's name apart from the question's topic when the name
# closes the question or opens it ("What does DHOME do in adduser.conf?", "In crontab, ...").
PLACING_WORDS = frozenset({"in"})
_PLACED_BEFORE = re.compile(r"(?:^|\W)(\w+)(?:\s+the)?\W*$", re.IGNORECASE)
_CLOSES = re.compile(r"^[\s?.!]*$")


def placed_name(question: Question) -> tuple[int, ...]:
    """The words after a placing preposition that closes the question, or opens it up to a
    comma ("… do in adduser.conf?", "In ssh_config, …"), as indices into ``question.terms``;
    () when there are none. Whether they name a document of the corpus is the index's to
    say (query.py)."""
    found, text = question.terms, question.text
    for i, term in enumerate(found):
        word = _PLACED_BEFORE.search(text[found[i - 1].end if i else 0 : term.start])
        if word is None or word.group(1).lower() not in PLACING_WORDS or term.weight != 1.0 \
                or not any(c.isalpha() for c in term.surface):
            continue  # a name starts with a letter's word: "in 2015" places nothing
        run = [i]
        while run[-1] + 1 < len(found) and found[run[-1] + 1].weight == 1.0 \
                and text[found[run[-1]].end : found[run[-1] + 1].start].strip(" -._/") == "":
            run.append(run[-1] + 1)
        after = text[found[run[-1]].end :]
        closes = _CLOSES.match(after) is not None
        opens = text[: (found[i - 1].end if i else 0) + word.start(1)].strip() == "" and after.lstrip().startswith(",")
        if closes or opens:
            return tuple(run)
    return ()


def qualifier_name(question: Question) -> tuple[int, ...]:
    """The qualifier of the question's first dotted name, the words before its last part
    ("semver" in "What does semver.minVersion do?", "os path" in "os.path.join"), as indices
    into ``question.terms``; () when there is none. Whether they name a document of the corpus
    (a module's page) is the index's to say (query.py)."""
    found, text = question.terms, question.text
    for i in range(len(found) - 1):
        run = [i]
        while run[-1] + 1 < len(found) and text[found[run[-1]].end : found[run[-1] + 1].start] in (".", "::"):
            run.append(run[-1] + 1)
        if len(run) > 1 and all(found[j].weight == 1.0 for j in run):
            return tuple(run[:-1])
    return ()


def document_names(question: Question) -> list[tuple[int, ...]]:
    """Names that may say which document to read: the run of words right before a word
    pointing at the corpus, with nothing but spaces or hyphens between them ("the Radio Free
    Asia article", "the reuters story": written in any case), as indices into
    ``question.terms``. Whether one names a document of the corpus is the index's to say
    (query.py)."""
    found = question.terms
    names = []
    for i, term in enumerate(found):
        if term.surface.lower() not in META_WORDS:
            continue
        run: list[int] = []
        j = i - 1
        while j >= 0 and found[j].weight == 1.0 and found[j].surface.lower() not in META_WORDS \
                and question.text[found[j].end : found[j + 1].start].strip(" -") == "":
            run.insert(0, j)
            j -= 1
        if run:
            names.append(tuple(run))
    return names


def read_as_pointing(question: Question, names: list[tuple[int, ...]]) -> Question:
    """``question`` with the words of ``names`` weighed as words that point at the corpus:
    they say which document to read, and the sentence that answers rarely repeats them."""
    chosen = {i for name in names for i in name}
    if not chosen:
        return question
    found = [replace(t, weight=META_WEIGHT) if i in chosen else t for i, t in enumerate(question.terms)]
    return replace(question, terms=found, concepts=_concepts(question.text, found))
