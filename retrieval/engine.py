"""Ask a question of a corpus: retrieval, selection and abstention, as one call."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar, cast

from verbatim.corpus import Article, CorpusError, Unit
from verbatim.corpus.budget import KeptReader, OverBudget
from verbatim.corpus.formats import PAGED
from verbatim.corpus.reader import article_of_file, article_of_text, corpus_file
from verbatim.retrieval.conversation.memory import CARRY_WEIGHT, Conversation, FollowUp, points_back
from verbatim.retrieval.explain import explain as explain_result
from verbatim.retrieval.index.build import ProgressCallback
from verbatim.retrieval.index.open import Opened, open_index
from verbatim.retrieval.index.protocol import Index
from verbatim.retrieval.index.sentence_index import ArticleInfo, metadata
from verbatim.retrieval.index.terms import sentence_tokens, terms, tokens
from verbatim.retrieval.models import ArticleRef, CorpusInfo, Explanation, Passage, Result
from verbatim.retrieval.reader.abstention import Abstainer
from verbatim.retrieval.reader.features import Reading
from verbatim.retrieval.reader.query import Query
from verbatim.retrieval.reader.question import Concept, Question, analyze, check_length
from verbatim.retrieval.reader.ranker import Reader, ReaderModel, shipped_model
from verbatim.retrieval.reader.support import agreement, header_cells, is_repeated, short_answer, supporting
from verbatim.retrieval.settings import Settings
from verbatim.retrieval.verifier import Verifier
from verbatim.retrieval.words.language import folder_language, question_language

# The corpus's language is judged from this many of its sentences, taken across it.
LANGUAGE_SAMPLE_UNITS = 2_000
# How an explanation names a listed sentence other than the best ({rank}: its place).
SUPPORT_LISTED = "listed as another source: ranked {rank}, close enough to the best to answer too"
CLOSEST_LISTED = "listed as a closest passage: ranked {rank}; it does not answer the question"
# A file found to differ from its index is read again and the question answered anew, at
# most this many times: a file rewritten at every read would otherwise be read forever.
MAX_REFRESHES = 3

T = TypeVar("T")
# Formats whose lines are lines of an extracted text, not of the file: cited by page or chapter.
EXTRACTED_FORMATS = frozenset({"pdf", "epub", "docx", "odt"})
F = TypeVar("F", bound=Callable[..., object])
# Articles read whole again (the chat's reading pane) are read by one reading process kept
# for the purpose, each within the budget the build reads it with.
ARTICLE_READER = KeptReader()


def start_article_reader() -> None:
    """Start the reading process that reads articles whole and have it split a sentence, so
    that the first article asked for is not kept waiting for a process to start (seconds)."""
    try:
        ARTICLE_READER.read(article_of_text, ("", "A sentence to begin with."))
    except OverBudget:
        pass  # the first article starts another


def _one_at_a_time(method: F) -> F:
    """``method`` holding the engine's lock: the index it reads is not swapped or closed meanwhile."""
    @functools.wraps(method)
    def locked(self: Engine, *args: object, **kwargs: object) -> object:
        with self.lock:
            return method(self, *args, **kwargs)

    return cast(F, locked)


class Engine:
    """A corpus, indexed, ready for questions: the stages composed (the index and its
    Analyzer, the Reader with its Retriever, the Abstainer, the Verifier). Safe to share
    between threads: one call at a time uses the index, so a refresh never closes an index
    another call still reads."""

    def __init__(self, opened: Opened, model: ReaderModel | None = None, threshold: float | None = None):
        self.opened = opened
        self.index: Index = opened.index
        self.model = model or shipped_model()
        self.reader = Reader(self.model)
        self.abstainer = Abstainer(threshold)
        self._refs: dict[int, ArticleRef] = {}
        self._language: list[str] | None = None  # the notice about the corpus's language, once made
        # Held by every call that reads the index; reentrant, as a question refreshes the
        # index and checks its quotes from inside ``ask``.
        self.lock = threading.RLock()
        self.verifier = Verifier(lambda: self.opened)

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, *,
             index_dir: str | os.PathLike[str] | None = None,
             progress: ProgressCallback | None = None, include: list[str] | None = None,
             exclude: list[str] | None = None, follow_links: bool = False,
             reindex: bool = False, waiting: Callable[[str], None] | None = None,
             shards: int | None = None, ray: str | None = None, threshold: float | None = None) -> Engine:
        """The bundled articles when ``path`` is None, else the file or folder at ``path``:
        its saved index when fresh, refreshed or built otherwise (``progress`` hears how
        the build goes, ``waiting`` when another process's lock holds it up), every file read
        again with ``reindex``. ``include`` and ``exclude`` are globs choosing the files read;
        symbolic links leading outside the folder are read only with ``follow_links``. A
        sharded index is used when the corpus has one, or built with ``shards`` (served by a
        Ray cluster at ``ray``, else in this process). ``threshold``: the least probability
        answered (the shipped reader's when None)."""
        from verbatim.retrieval.shards import has_sharded_index

        if shards is not None or ray is not None or has_sharded_index(path, index_dir, include, exclude, follow_links):
            from verbatim.retrieval.shards.open import open_sharded  # only a sharded corpus needs it

            return cls(open_sharded(path, count=shards, ray_address=ray, index_dir=index_dir, include=include,
                                    exclude=exclude, follow_links=follow_links, force=reindex, waiting=waiting),
                       threshold=threshold)
        return cls(open_index(path, index_dir=index_dir, progress=progress, include=include, exclude=exclude,
                              force=reindex, follow_links=follow_links, waiting=waiting), threshold=threshold)

    @classmethod
    def open(cls, settings: Settings, *, progress: ProgressCallback | None = None,
             waiting: Callable[[str], None] | None = None) -> Engine:
        """The corpus and the answering the ``settings`` describe (from the command line, the
        configuration or the Python API)."""
        return cls.load(settings.corpus, index_dir=settings.index_dir, progress=progress,
                        include=list(settings.include), exclude=list(settings.exclude),
                        follow_links=settings.follow_links, reindex=settings.reindex, waiting=waiting,
                        shards=settings.shards, ray=settings.ray, threshold=settings.threshold)

    @property
    def articles(self) -> list[ArticleInfo]:
        return self.index.articles

    @property
    def warnings(self) -> list[str]:
        """Files left out or repaired, when they were just read (a fresh load says nothing)."""
        return self.index.warnings if self.opened.report is not None else []

    @property
    def notices(self) -> list[str]:
        """About the saved index: damaged and rebuilt, or could not be saved; and about the
        corpus, when it looks like another language than English."""
        if self._language is None:
            self._language = [] if (found := self._folder_language()) is None else [found]
        return self.opened.notices + self._language

    def _folder_language(self) -> str | None:
        """Whether the corpus looks like another language, from sentences taken across it."""
        count = len(self.index)
        if not count:
            return None
        step = max(1, count // LANGUAGE_SAMPLE_UNITS)
        return folder_language(" ".join(unit.text for unit in self.index.units(range(0, count, step))))

    def _knows(self, word: str) -> bool:
        """Whether the corpus uses ``word`` (in any form its index keeps)."""
        return any(self.index.document_frequency(term) > 0 for term in terms(word))

    @_one_at_a_time
    def article(self, article_id: str) -> Article | None:
        """The whole article, read again from its file (the index keeps only its sentences),
        by a reading process within the budget of a file (corpus.budget): raises OverBudget,
        the reason in its message, when it is not read within it; None when the file can no
        longer be read."""
        a = self.index.article_index(article_id)
        if a is None:
            return None
        info = self.index.articles[a]
        path = corpus_file(Path(self.index.root), info.rel, self.opened.follow_links)
        if path is None:
            return None
        return ARTICLE_READER.read(article_of_file, (str(path), self.index.root, metadata(info),
                                                  self.opened.follow_links))[0]

    @_one_at_a_time
    def units_of(self, article: int) -> list[Unit]:
        """Every unit of article number ``article`` (none when the index no longer has it)."""
        return self.index.units_of(article) if article < len(self.index.articles) else []

    def ref(self, article: int) -> ArticleRef:
        found = self._refs.get(article)
        if found is None:
            a = self.index.articles[article]
            found = self._refs[article] = ArticleRef(**metadata(a))  # authors are not cited
        return found

    def conversation(self, history: Iterable[Result] = ()) -> Conversation:
        """A conversation over this corpus, for follow-up questions; ``history`` holds the
        earlier turns' results when it is taken up again (from the log, for instance)."""
        conversation = Conversation(self.mentions)
        conversation.resume(history)
        return conversation

    @_one_at_a_time
    def mentions(self, name: str, limit: int = 20) -> list[str]:
        """Sentences that name ``name``, best first."""
        found = [self.index.unit(uid).text for uid, _ in self.index.top(terms(name), limit)]
        return [text for text in found if name in text]

    @property
    def info(self) -> CorpusInfo:
        return CorpusInfo(
            name=self.index.name,
            path=self.index.root,
            articles=len(self.index.articles),
            sentences=len(self.index),
            warnings=self.warnings,
        )

    def passage(self, reading: Reading, query: Query, score: float,
                probability: float | None = None) -> Passage:
        uid = reading.uid
        unit = self.index.unit(uid)
        article = int(self.index.unit_article[uid])
        info = self.index.articles[article]
        part = info.part_at(unit.start)
        extracted = info.format in EXTRACTED_FORMATS
        return Passage(
            sentence=unit.text,
            article=self.ref(article),
            paragraph=unit.paragraph,
            sentence_index=unit.sentence,
            score=round(score, 4),
            probability=None if probability is None else round(probability, 4),
            start=unit.start,
            end=unit.end,
            line=None if extracted else unit.line or None,
            page=int(part) if part is not None and info.format in PAGED else None,
            chapter=part if part is not None and info.format not in PAGED else None,
            section=self.index.section_titles(uid),
            span=short_answer(query, reading, unit.text, header_cells(self.index, uid)),
            matches=question_words(unit.text, query),
        )

    @_one_at_a_time
    def ask(self, question: str, top: int = 3, *, conversation: Conversation | None = None,
            explain: bool = False) -> Result:
        """Answer ``question`` with up to ``top`` sentences, or say the corpus does not.

        In a ``conversation``, a question that leans on the previous turn is read against
        it, and the turn is recorded. With ``explain``, the result says why it won.
        Raises QuestionTooLong past MAX_QUESTION_CHARS.
        """
        check_length(question)
        if not (conversation and conversation.turns) and points_back(question):
            return Result(question=question, answered=False,
                          reason="the question needs the one before it: ask it in a conversation, "
                          "or name what it points to")
        foreign = question_language(question, self._knows)
        if foreign is not None:
            return Result(question=question, answered=False, reason=foreign)
        self.index.begin_question()

        def first() -> tuple[FollowUp, Question, Result]:
            followup = conversation.resolve(question) if conversation else FollowUp(question)
            return followup, *self._reply(question, followup, top, explain)

        followup, analysis, result = self._whole(first)
        stale, named = self.stale_files(result), []
        for _ in range(MAX_REFRESHES):
            if not stale:
                break
            named += stale
            try:
                self.refresh(stale)
            except CorpusError as error:  # the last readable file was emptied
                result = Result(question=question, answered=False, reason=str(error))
                break
            analysis, result = self._whole(lambda: self._reply(question, followup, top, explain))
            stale = self.stale_files(result)
        result = self.verifier.without(result, stale)
        if named:
            result = result.model_copy(update={"notice": f"{', '.join(dict.fromkeys(named))}: the file no longer said what "
                                               "the index held; read it again and answered anew"})
        result = self._partial(result)
        if conversation is not None:
            conversation.record(question, followup, analysis, result)
        return result

    def _whole(self, attempt: Callable[[], T]) -> T:
        """``attempt()``; over a sharded index, made again without a shard that stops
        answering during it."""
        return self.index.answering(attempt)

    def _partial(self, result: Result) -> Result:
        """``result`` naming the shards of a sharded index that did not answer, if any: it is
        then never presented as the corpus's whole answer."""
        missing = sorted(self.index.missing)
        if not missing:
            return result
        count = self.index.part_count
        if len(missing) == count:
            line = f"none of the {count} shards answered: there is no result"
            result = Result(question=result.question, answered=False, reason="no shard of the index answered",
                            interpreted_as=result.interpreted_as)
        else:
            said = f"shard {missing[0]}" if len(missing) == 1 else f"shards {', '.join(map(str, missing))}"
            line = f"{said} of {count} did not answer: this result comes from the others only"
            if not result.answered and result.reason:
                result = result.model_copy(update={"reason": f"{result.reason}, in the shards that answered"})
        return result.model_copy(update={"shards_not_answering": missing,
                                         "notice": "; ".join(filter(None, [result.notice, line]))})

    def _reply(self, question: str, followup: FollowUp, top: int, explain: bool) -> tuple[Question, Result]:
        analysis = analyze(followup.text)
        analysis.concepts.extend(_carried(analysis, followup.context))
        analysis.carry_share = followup.carry_share
        exclude = frozenset(
            uid for uid in (self.index.uid_at(a, s) for a, s in followup.exclude) if uid is not None
        )
        interpreted = followup.text if followup.text != " ".join(question.split()) else None
        return analysis, self._answer(question, analysis, top, exclude, explain, interpreted)

    # -- quoting only what the files say now: the Verifier ----------------------------------------
    @_one_at_a_time
    def stale_files(self, result: Result) -> list[str]:
        """Ids of the files where a sentence the result quotes is not the file's text now."""
        return self.verifier.stale_files(result)

    @_one_at_a_time
    def outdated(self, passages: list[Passage]) -> list[Passage]:
        """The passages whose sentence is not their file's text at their offsets now."""
        return self.verifier.outdated(passages)

    @_one_at_a_time
    def refresh(self, stale: list[str]) -> None:
        """Read the files named by id again, whatever their size and time say, and answer
        from the refreshed index from now on."""
        fresh = self.opened.refreshed(frozenset(stale))
        previous, (self.opened, self.index) = self.index, (fresh, fresh.index)
        self._refs.clear()
        if previous is not fresh.index:
            previous.close()

    @_one_at_a_time
    def candidates(self, question: str, k: int = 5) -> list[Passage]:
        """The ``k`` best sentences for ``question`` by the reader, answer or not."""
        query = Query.of(self.index, analyze(question))
        ranking = self.reader.rank(self.index, query)
        return [self.passage(reading, query, score) for reading, score in ranking.best(k)]

    def _answer(self, question: str, analysis: Question, top: int, exclude: frozenset[int],
                explain: bool, interpreted: str | None) -> Result:
        if not analysis.concepts:
            return Result(question=question, answered=False, interpreted_as=interpreted,
                          reason="the question has no words to search for")
        query = Query.of(self.index, analysis)
        ranking = self.reader.rank(self.index, query, exclude)
        decision = self.abstainer.decide(self.index, query, ranking)
        explanation = None
        if explain:
            explanation = explain_result(self, query, ranking, decision, interpreted)
        ranked = ranking.best(top)

        def explained(listed: list[Reading], as_what: str) -> list[Explanation]:
            """Why each listed sentence is there, when asked for."""
            if not explain:
                return []
            position = {int(ranking.pool.uids[row]): i for i, row in enumerate(ranking.order.tolist())}
            return [explain_result(self, query, ranking, decision, interpreted, position[r.uid],
                                   None if position[r.uid] == 0 else as_what.format(rank=position[r.uid] + 1))
                    for r in listed]

        if not decision.answered:
            own = query.own_forms()
            near: list[tuple[Reading, float]] = []
            kept: list[frozenset[str]] = []
            for reading, score in ranked:
                held = self.index.term_set(reading.uid)
                if not own.isdisjoint(held) and not is_repeated(held, kept):  # a repeated lead is shown once
                    near.append((reading, score))
                    kept.append(held)
            closest = [self.passage(reading, query, score) for reading, score in near]
            return Result(question=question, answered=False, closest=closest, reason=decision.reason,
                          probability=round(decision.probability, 4), interpreted_as=interpreted,
                          explanation=explanation,
                          explanations=explained([r for r, _ in near], CLOSEST_LISTED))
        support = supporting(self.index, query, ranking, top - 1)
        best = self.passage(ranked[0][0], query, ranked[0][1], decision.probability)
        answers = [best] + [self.passage(s, query, score) for s, score in support]
        spans = [(p.article.id, p.sentence[p.span[0]:p.span[1]]) for p in answers if p.span]
        return Result(question=question, answered=True, answers=answers,
                      probability=round(decision.probability, 4),
                      agreement=agreement(spans) if len(spans) == len(answers) else None,
                      interpreted_as=interpreted, explanation=explanation,
                      explanations=explained([ranked[0][0], *(r for r, _ in support)], SUPPORT_LISTED))


def _carried(analysis: Question, context: list[str]) -> list[Concept]:
    """Words of the previous turn a follow-up carries along, the rarest kept."""
    own = {t.term for t in analysis.terms}
    seen: dict[str, str] = {}
    for text in context:
        for tok in tokens(text):
            if tok.term not in own and tok.term not in seen:
                seen[tok.term] = text[tok.start:tok.end]
    return [Concept((term,), False, CARRY_WEIGHT, surface, carried=True) for term, surface in seen.items()]


def question_words(sentence: str, query: Query) -> list[tuple[int, int]]:
    """Character spans of the question's own words (in any of their forms) in ``sentence``;
    words a follow-up carried from the previous turn are not marked."""
    forms = query.own_forms()
    spans: list[tuple[int, int]] = []
    for tok in sentence_tokens(sentence):
        if tok.term in forms and not (spans and spans[-1] == (tok.start, tok.end)):
            spans.append((tok.start, tok.end))
    return spans
