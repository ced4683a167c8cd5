"""Follow-up questions: read "he", "it", "that meeting", "And Alibaba?" against the last turn.

A question that leans on the previous one (a third-person pronoun, a demonstrative, an
elliptical "And X?", "else", or no content words at all) is rewritten with what it points
at, and carries the previous answer as context. A question that stands on its own is asked
as it is.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from verbatim.retrieval.models import Result
from verbatim.retrieval.reader.evidence import find_evidence
from verbatim.retrieval.reader.question import AnswerType, Question, analyze

_PERSON_PRONOUN = re.compile(r"\b(he|him|his|she|her|hers)\b", re.IGNORECASE)
_THING_PRONOUN = re.compile(r"\b(it|its)\b", re.IGNORECASE)
_PLURAL_PRONOUN = re.compile(r"\b(they|them|their|theirs)\b", re.IGNORECASE)
_POSSESSIVES = frozenset({"his", "its", "their", "theirs", "hers"})
# "it" that points at nothing: "is it true that", "it is possible to".
_EXPLETIVE_IT = re.compile(
    r"\bis it (?:true|possible|likely|right|correct)\b|\bit (?:is|was) (?:\w+ )?(?:that|to)\b",
    re.IGNORECASE,
)
_DEMONSTRATIVE = re.compile(r"\b(?:that|this|these|those|the same)\s+(?!is\b|was\b|are\b)[a-z]", re.IGNORECASE)
_ELLIPSIS = re.compile(r"^\s*(?:and|but|what about|how about|and what about)\s+(.+?)[?.!]*\s*$", re.IGNORECASE)
_ELSE = re.compile(r"\b(?:else|another|other|also)\b", re.IGNORECASE)
_NAME_WORD = re.compile(r"^[A-Z][a-z]+(?:-[A-Z][a-z]+)?$")

# How much the previous turn's words count when carried into a follow-up, against 1.0 for
# the follow-up's own words: enough to find the right place, not enough to outvote it; and
# the most they may weigh together, as a share of the follow-up's own words: less when the
# follow-up's pronoun was replaced by a name and the question stands nearly whole.
# No set of conversations exists to learn these from; measured on the six follow-ups of
# tests/test_conversation.py over the bundled articles, with everything else as shipped:
# CARRY_WEIGHT 0.2, 0.4, 0.7 or 1.0 and CARRY_SHARE 0.35, 0.7 or 1.0 answer the same 5 of 6;
# CARRY_SHARE_RESOLVED 0 or 0.2 answer 5, 0.4 answers 6 ("How old is he?" after "Who
# founded DeepSeek?") and 0.7 answers 5 (it loses "Which companies joined his AI
# initiative?"). Six conversations, the tests' own, cannot choose between those, so the
# values stay as first set.
CARRY_WEIGHT = 0.4
CARRY_SHARE = 0.7
CARRY_SHARE_RESOLVED = 0.2
# The turns a conversation keeps. A follow-up is read against the last one; "who else?"
# leaves out the answers of the kept ones, and a run of "else" questions is a handful of
# turns long. Keeping every turn would grow without bound over a long piped conversation.
KEPT_TURNS = 8


@dataclass(slots=True)
class FollowUp:
    """How a question is read in its conversation."""

    text: str  # the question to answer, pronouns replaced by what they point at
    context: list[str] = field(default_factory=list)  # texts whose words are carried along
    carry_share: float = CARRY_SHARE  # the most the carried words may weigh, against its own
    exclude: set[tuple[str, int]] = field(default_factory=set)  # answers already given
    leans: bool = False  # True when the question leaned on the previous turn


@dataclass(slots=True)
class Turn:
    question: str
    followup: FollowUp
    analysis: Question
    result: Result


def _names(analysis: Question) -> list[str]:
    """The proper names of a question, as written, in order, without a possessive 's."""
    return [
        re.sub(r"['’]s$", "", c.surface)
        for c in analysis.concepts
        if c.proper and not c.carried and any(ch.isalpha() for ch in c.surface)
    ]


def name_kind(name: str, sentences: list[str]) -> AnswerType | None:
    """How the sentences speak of ``name``: as a PERSON ("President Donald Trump said"), an
    ORGANIZATION or PLACE, or None when they do not say. Without a tagger, the corpus's
    own wording is the evidence."""
    kinds = set()
    for text in sentences:
        at = text.find(name)
        while at >= 0:
            for evidence in find_evidence(text):
                if evidence.start <= at < evidence.end and evidence.kind is not AnswerType.ENTITY:
                    kinds.add(evidence.kind)
            at = text.find(name, at + 1)
    for kind in (AnswerType.PERSON, AnswerType.ORGANIZATION, AnswerType.PLACE):
        if kind in kinds:
            return kind
    return None


def points_back(text: str) -> bool:
    """True for a question that cannot stand alone: a pronoun points back ("How old is he?",
    "What is its valuation?") and the question names at most one thing of its own, which
    cannot be what the pronoun means."""
    pronoun = (_PERSON_PRONOUN.search(text) or _PLURAL_PRONOUN.search(text)
               or (_THING_PRONOUN.search(text) and not _EXPLETIVE_IT.search(text)))
    if not pronoun:
        return False
    topic = [t for t in analyze(text).terms if t.weight >= 1.0]
    return len({t.term for t in topic}) <= 1


def _looks_like_a_person(name: str) -> bool:
    words = name.split()
    return len(words) >= 2 and all(_NAME_WORD.match(w) for w in words)


class Conversation:
    """The last turns, and how to read the next question against them.

    ``mentions`` finds sentences of the corpus that name something, so a pronoun can be
    matched to a person or a thing by how the corpus speaks of it.
    """

    def __init__(self, mentions: Callable[[str], list[str]] | None = None) -> None:
        self.turns: deque[Turn] = deque(maxlen=KEPT_TURNS)
        self.mentions = mentions or (lambda name: [])

    def clear(self) -> None:
        self.turns.clear()

    def resolve(self, question: str) -> FollowUp:
        """How to read ``question`` given the previous turn."""
        text = " ".join(question.split())
        if not self.turns:
            return FollowUp(text)
        last = self.turns[-1]
        if text == " ".join(last.question.split()) and not _ELSE.search(text):
            # The same question again is read as it was the first time, so it gets the same
            # answer: read against its own earlier turn, it would lean on its own answer.
            # ("Who else?" again asks for one more, and leaves out every answer given.)
            return replace(last.followup, context=list(last.followup.context),
                           exclude=set(last.followup.exclude))
        analysis = analyze(text)
        ellipsis = _ELLIPSIS.match(text)
        if ellipsis and not analysis.wh and len(ellipsis.group(1).split()) <= 6:
            return self._ellipsis(last, ellipsis.group(1))
        followup = FollowUp(text)
        followup.text = self._replace_pronouns(text, last)
        pronoun = any(p.search(text) for p in (_PERSON_PRONOUN, _PLURAL_PRONOUN)) or (
            _THING_PRONOUN.search(text) and not _EXPLETIVE_IT.search(text)
        )
        if pronoun or _DEMONSTRATIVE.search(text) or not analysis.concepts:
            followup.leans = True
        if followup.leans:
            followup.context = self._context(last)
            if followup.text != text and not _DEMONSTRATIVE.search(text):
                followup.carry_share = CARRY_SHARE_RESOLVED
        if _ELSE.search(text) and followup.leans:
            followup.exclude = {(p.article.id, p.start) for t in self.turns for p in t.result.answers}
        return followup

    def record(self, question: str, followup: FollowUp, analysis: Question, result: Result) -> None:
        self.turns.append(Turn(question, followup, analysis, result))

    def resume(self, results: Iterable[Result]) -> None:
        """Take up earlier turns (from the log) as they were answered, without asking again."""
        for result in results:
            followup = FollowUp(result.interpreted_as or " ".join(result.question.split()))
            self.record(result.question, followup, analyze(followup.text), result)

    # -- readings ----------------------------------------------------------------------------
    def _ellipsis(self, last: Turn, subject: str) -> FollowUp:
        """'And Tencent?' after 'What is CATL?' asks 'What is Tencent?'."""
        previous = last.followup.text
        names = _names(last.analysis)
        if names:
            text = previous.replace(names[0], subject, 1)
        else:
            text = f"{previous.rstrip('?.! ')} {subject}?"
        return FollowUp(text, leans=True)

    def _is_person(self, name: str, last: Turn) -> bool:
        kind = name_kind(name, [p.sentence for p in last.result.answers])
        if kind is None:
            kind = name_kind(name, self.mentions(name))
        return kind is AnswerType.PERSON or (kind is None and _looks_like_a_person(name))

    def _replace_pronouns(self, text: str, last: Turn) -> str:
        names = _names(last.analysis)
        people = [n for n in names if self._is_person(n, last)]
        things = [n for n in names if n not in people]
        answer_name = self._answer_name(last)

        def person() -> str | None:
            if answer_name and last.analysis.answer_type in (
                AnswerType.PERSON, AnswerType.ENTITY, AnswerType.AUTHOR
            ):
                return answer_name
            return people[0] if people else None

        def thing() -> str | None:
            return things[-1] if things else None

        def plural() -> str | None:
            return answer_name or (things[-1] if things else None)

        def substitute(pattern: re.Pattern[str], antecedent: str | None, text: str) -> str:
            if antecedent is None:
                return text

            def one(match: re.Match[str]) -> str:
                word = match.group(1).lower()
                following = text[match.end():].lstrip()
                possessive = word in _POSSESSIVES or (
                    word == "her" and following[:1].isalpha()
                    and following.split()[0].lower() not in ("to", "about", "and", "or")
                )
                return f"{antecedent}'s" if possessive else antecedent

            return pattern.sub(one, text)

        if not _EXPLETIVE_IT.search(text):
            text = substitute(_THING_PRONOUN, thing(), text)
        text = substitute(_PERSON_PRONOUN, person(), text)
        text = substitute(_PLURAL_PRONOUN, plural(), text)
        return text

    @staticmethod
    def _answer_name(last: Turn) -> str | None:
        """The short answer of the previous turn when it was a name."""
        if not last.result.answered:
            return None
        first = last.result.answers[0]
        if first.span is None:
            return None
        name = first.sentence[first.span[0] : first.span[1]]
        return name if name[:1].isupper() and not name[:1].isdigit() else None

    @staticmethod
    def _context(last: Turn) -> list[str]:
        """What a leaning question carries along: the previous question and its answer."""
        context = [last.followup.text]
        if last.result.answered:
            context.append(last.result.answers[0].sentence)
        return context
