"""Ask a question of a corpus: retrieval, selection and abstention, as one call."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from verbatim.corpus import Article, CorpusError
from verbatim.corpus.budget import OverBudget, within_budget
from verbatim.corpus.reader import FileNow, article_of_text, corpus_file, file_now, read_article
from verbatim.corpus.segment import normalize_space
from verbatim.retrieval.conversation import CARRY_WEIGHT, Conversation, FollowUp, points_back
from verbatim.retrieval.explain import explain as explain_result
from verbatim.retrieval.index.build import ProgressCallback, build
from verbatim.retrieval.index.open import Opened, open_index
from verbatim.retrieval.index.sentence_index import ArticleInfo, SentenceIndex, metadata
from verbatim.retrieval.index.terms import sentence_tokens, terms, tokens
from verbatim.retrieval.models import ArticleRef, CorpusInfo, Explanation, Passage, Result
from verbatim.retrieval.reader.abstention import decide
from verbatim.retrieval.reader.features import Reading
from verbatim.retrieval.reader.query import Query
from verbatim.retrieval.reader.question import Concept, Question, analyze, check_length
from verbatim.retrieval.reader.ranker import ReaderModel, rank_pool, shipped_model
from verbatim.retrieval.reader.support import agreement, short_answer, supporting

# How an explanation names a listed sentence other than the best ({rank}: its place).
SUPPORT_LISTED = "listed as another source: ranked {rank}, close enough to the best to answer too"
CLOSEST_LISTED = "listed as a closest passage: ranked {rank}; it does not answer the question"
# A file found to differ from its index is read again and the question answered anew, at
# most this many times: a file rewritten at every read would otherwise be read forever.
MAX_REFRESHES = 3

T = TypeVar("T")


class Engine:
    """A corpus, indexed, ready for questions."""

    def __init__(self, opened: Opened, model: ReaderModel | None = None):
        self.opened = opened
        self.index = opened.index
        self.model = model or shipped_model()
        self._refs: dict[int, ArticleRef] = {}

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, *,
             index_dir: str | os.PathLike[str] | None = None,
             progress: ProgressCallback | None = None, include: list[str] | None = None,
             exclude: list[str] | None = None, follow_links: bool = False,
             reindex: bool = False, waiting: Callable[[str], None] | None = None,
             shards: int | None = None, ray: str | None = None) -> Engine:
        """The bundled articles when ``path`` is None, else the file or folder at ``path``:
        its saved index when fresh, refreshed or built otherwise (``progress`` hears how
        the build goes, ``waiting`` when another process's lock holds it up), every file read
        again with ``reindex``. ``include`` and ``exclude`` are globs choosing the files read;
        symbolic links leading outside the folder are read only with ``follow_links``. A
        sharded index is used when the corpus has one, or built with ``shards`` (served by a
        Ray cluster at ``ray``, else in this process)."""
        from verbatim.retrieval.shards import has_sharded_index

        if shards is not None or ray is not None or has_sharded_index(path, index_dir):
            from verbatim.retrieval.shards.open import open_sharded  # only a sharded corpus needs it

            return cls(open_sharded(path, count=shards, ray_address=ray, index_dir=index_dir, include=include,
                                    exclude=exclude, follow_links=follow_links, force=reindex, waiting=waiting))
        return cls(open_index(path, index_dir=index_dir, progress=progress, include=include, exclude=exclude,
                              force=reindex, follow_links=follow_links, waiting=waiting))

    @property
    def articles(self) -> list[ArticleInfo]:
        return self.index.articles

    @property
    def warnings(self) -> list[str]:
        """Files left out or repaired, when they were just read (a fresh load says nothing)."""
        return self.index.warnings if self.opened.report is not None else []

    @property
    def notices(self) -> list[str]:
        """About the saved index: damaged and rebuilt, or could not be saved."""
        return self.opened.notices

    def article(self, article_id: str) -> Article | None:
        """The whole article, read again from its file (the index keeps only its sentences)."""
        a = self.index.article_index(article_id)
        if a is None:
            return None
        info = self.index.articles[a]
        path = corpus_file(Path(self.index.root), info.rel, self.opened.follow_links)
        return None if path is None else read_article(path, Path(self.index.root), metadata(info))[0]

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
        return Passage(
            sentence=unit.text,
            article=self.ref(int(self.index.unit_article[uid])),
            paragraph=unit.paragraph,
            sentence_index=unit.sentence,
            score=round(score, 4),
            probability=None if probability is None else round(probability, 4),
            start=unit.start,
            end=unit.end,
            line=unit.line or None,
            section=self.index.section_titles(uid),
            span=short_answer(query, reading, unit.text),
            matches=question_words(unit.text, query),
        )

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
        if hasattr(self.index, "begin_question"):  # a sharded index: which shards answer
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
        result = self._without(result, stale)
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
        answering = getattr(self.index, "answering", None)
        return attempt() if answering is None else answering(attempt)

    def _partial(self, result: Result) -> Result:
        """``result`` naming the shards of a sharded index that did not answer, if any: it is
        then never presented as the corpus's whole answer."""
        missing = sorted(getattr(self.index, "missing", ()))
        if not missing:
            return result
        count = len(self.index.backend)
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

    # -- quoting only what the files say now ----------------------------------------------------
    def stale_files(self, result: Result) -> list[str]:
        """Ids of the files where a sentence the result quotes is not the file's text at its
        offsets now. One read of each file quoted."""
        passages = [*result.answers, *result.closest]
        if result.explanation is not None and result.explanation.runner_up is not None:
            passages.append(result.explanation.runner_up)
        return list(dict.fromkeys(self._rel(p.article.id) for p in self.outdated(passages)))

    def outdated(self, passages: list[Passage]) -> list[Passage]:
        """The passages whose sentence is not their file's text at their offsets now (the
        file edited, or the index damaged). One read of each file.

        A plain-text file whose bytes are the ones the index was made from (same digest) is
        not split into sentences again: its units are what this code made of these bytes,
        and a unit's text is the file's text at its offsets with white space collapsed, so
        that is compared. A changed file, or one with markup, is read as the index reads it
        and the unit at the passage's offsets compared."""
        files: dict[str, FileNow | None] = {}
        found = []
        for passage in passages:
            rel = self._rel(passage.article.id)
            if rel not in files:
                path = corpus_file(Path(self.index.root), rel, self.opened.follow_links)
                files[rel] = None if path is None else file_now(path)
            now = files[rel]
            if now is None or now.text is None:
                found.append(passage)
            elif self._unchanged_plain_text(passage.article.id, now):
                start, end = passage.start, passage.end
                if not (0 <= start < end <= len(now.text)) or normalize_space(now.text[start:end]) != passage.sentence:
                    found.append(passage)
            else:
                article = self._article_now(passage.article.id, now)
                unit = None if article is None else article.unit_at(passage.start, passage.end)
                if unit is None or unit.text != passage.sentence:
                    found.append(passage)
        return found

    def _article_now(self, article_id: str, now: FileNow) -> Article | None:
        """The file as the index reads it now. Bytes the index was made from were read within
        the budget then, and are split again here; other bytes are read by a reading process
        within the budget (corpus.budget), and are None (not quotable) when they are not."""
        if self._read_before(article_id, now):
            return now.article
        try:
            return within_budget(article_of_text, (now.path, now.text))
        except OverBudget:
            return None

    def _read_before(self, article_id: str, now: FileNow) -> bool:
        a = self.index.article_index(article_id)
        info = None if a is None else self.index.articles[a]
        return info is not None and bool(info.digest) and info.digest == now.digest

    def _unchanged_plain_text(self, article_id: str, now: FileNow) -> bool:
        """True when the article's file is plain text (read without markup) and its bytes
        now are those the index was made from."""
        a = self.index.article_index(article_id)
        info = None if a is None else self.index.articles[a]
        return info is not None and info.format == "text" and bool(info.digest) and info.digest == now.digest

    def _rel(self, article_id: str) -> str:
        a = self.index.article_index(article_id)
        return self.index.articles[a].rel if a is not None else article_id

    def _without(self, result: Result, stale: list[str]) -> Result:
        """``result`` without the passages of the files named: no answer when its best
        sentence was one of them."""
        if not stale:
            return result
        gone = set(stale)

        def kept(passages: list[Passage]) -> list[Passage]:
            return [p for p in passages if self._rel(p.article.id) not in gone]

        if result.answered and self._rel(result.answers[0].article.id) in gone:
            return Result(question=result.question, answered=False, closest=kept(result.answers[1:]),
                          reason="the file that answers it changes while it is read",
                          interpreted_as=result.interpreted_as)
        return result.model_copy(update={"answers": kept(result.answers), "closest": kept(result.closest),
                                         "explanation": None if result.explanation is None else
                                         result.explanation.model_copy(update={"runner_up": None})})

    def refresh(self, stale: list[str]) -> None:
        """Read the files named by id again, whatever their size and time say, and answer
        from the refreshed index from now on."""
        opened, files = self.opened, frozenset(stale)
        if opened.reopen is not None:
            fresh = opened.reopen(files, self.index.data)
        else:
            data, report = build(self.index.root, previous=self.index.data, stale=files,
                                 follow_links=opened.follow_links, parallel=False)
            fresh = Opened(SentenceIndex(data), None, report, follow_links=opened.follow_links)
        previous, (self.opened, self.index) = self.index, (fresh, fresh.index)
        self._refs.clear()
        if previous is not fresh.index:
            previous.close()

    def candidates(self, question: str, k: int = 5) -> list[Passage]:
        """The ``k`` best sentences for ``question`` by the reader, answer or not."""
        query = Query.of(self.index, analyze(question))
        ranking = rank_pool(self.index, query, self.model)
        return [self.passage(reading, query, score) for reading, score in ranking.best(k)]

    def _answer(self, question: str, analysis: Question, top: int, exclude: frozenset[int],
                explain: bool, interpreted: str | None) -> Result:
        if not analysis.concepts:
            return Result(question=question, answered=False, interpreted_as=interpreted,
                          reason="the question has no words to search for")
        query = Query.of(self.index, analysis)
        ranking = rank_pool(self.index, query, self.model, exclude)
        decision = decide(self.index, query, ranking, self.model)
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
            near = [(reading, score) for reading, score in ranked
                    if not own.isdisjoint(self.index.term_set(reading.uid))]
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
