"""Pydantic models: the shared language of the core, the CLI's --json and the chat."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

# The decision of an explanation whose sentence was given as the answer.
ANSWERED = "answered"
# The version of the JSON a result is written as (`--json`, the log); unversioned before 2.
# 2: `page` and `chapter` on a passage; `start`/`end` in the extracted text of PDF, EPUB,
# Word and OpenDocument files.
SCHEMA_VERSION = 2


class ArticleRef(BaseModel):
    """Which article a sentence comes from."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable id: a slug for the bundled articles, else the path relative to the corpus folder.")
    title: str
    path: str = Field(description="Absolute path of the article's file.")
    source: str | None = None
    date: str | None = None


class Passage(BaseModel):
    """One sentence of the corpus, exactly as written (white space collapsed), and where it is."""

    model_config = ConfigDict(frozen=True)

    sentence: str
    article: ArticleRef
    paragraph: int = Field(description="Paragraph number in the article, counted from 1.")
    sentence_index: int = Field(description="Sentence number in the paragraph, counted from 1.")
    score: float = Field(description="The reader's score (learned weights); higher is a better answer.")
    probability: float | None = Field(
        default=None,
        description="For the answer given: the result's probability, the reader's estimate that the corpus answers the question.",
    )
    start: int = Field(description="Offset of the sentence's first character in the file's text (its source, markup "
                       "included). For a file whose bytes are not text (PDF, EPUB, Word, OpenDocument, a compressed "
                       "manual page), an offset in the text Verbatim extracts from it (`page` or `chapter` say where "
                       "that is in the document).")
    end: int = Field(description="Offset just past the sentence's last character in the file's text (or extracted text).")
    line: int | None = Field(default=None, description="Line of the file where the sentence begins, counted from 1; "
                             "null for a PDF, EPUB, Word or OpenDocument file.")
    page: int | None = Field(default=None, description="A PDF: the page the sentence begins on, counted from 1.")
    chapter: str | None = Field(default=None, description="An EPUB: the title of the chapter the sentence is in.")
    section: list[str] = Field(
        default_factory=list,
        description="The headings the sentence sits under, outermost first.",
    )
    span: tuple[int, int] | None = Field(
        default=None,
        description="The short answer inside the sentence: character offsets into `sentence`.",
    )
    matches: list[tuple[int, int]] = Field(
        default_factory=list,
        description="Where the question's words occur in `sentence`: character offsets.",
    )


class Found(str, Enum):
    """Where the best sentence's reading found one of the question's words."""

    SENTENCE = "sentence"
    RELATED_FORM = "related form in the sentence"
    SYNONYM = "synonym in the sentence"  # WordNet's, or a word near in meaning (words/meaning.py)
    ENTRY = "the term of its entry"  # a definition's term, or the API name over it
    PREVIOUS = "previous sentence"
    NEXT = "next sentence"
    TITLE = "title"
    ARTICLE = "elsewhere in the article"
    MISSING = "missing"


class ConceptMatch(BaseModel):
    """One thing the question names, its weight, and where the top sentence has it."""

    text: str
    terms: list[str]
    weight: float = Field(description="Share of the question's weight, 0 to 1.")
    found: Found
    carried: bool = False


class EvidenceSpan(BaseModel):
    """A typed stretch of the top sentence: a date, an amount, a name, a quotation."""

    kind: str
    text: str


class FeatureContribution(BaseModel):
    """One measurement of a candidate, its learned weight and its part of the score:
    ``contribution = standardised × weight``, where ``standardised = (value − mean) / scale``
    with the mean and scale the training script measured."""

    name: str
    value: float = Field(description="The measurement as taken (the raw value).")
    standardised: float = Field(description="(value − mean) / scale, what the weight multiplies.")
    weight: float
    contribution: float = Field(description="standardised × weight: this feature's part of the score.")


class Explanation(BaseModel):
    """Why the top sentence won, and why the decision to answer or not was taken."""

    interpreted_as: str | None = None
    wh: str | None = None
    answer_type: str
    focus: str | None = None
    concepts: list[ConceptMatch] = Field(default_factory=list)
    evidence: list[EvidenceSpan] = Field(default_factory=list)
    features: list[FeatureContribution] = Field(default_factory=list)
    bias: float = Field(default=0.0, description="The ranking model's constant: score = bias + Σ contributions.")
    score: float = 0.0
    runner_up: Passage | None = None
    probability: float = 0.0
    threshold: float = 0.0
    abstention: list[FeatureContribution] = Field(default_factory=list)
    abstention_bias: float = Field(
        default=0.0,
        description="The abstention model's constant: probability = 1 / (1 + exp(−(abstention_bias + Σ contributions))).",
    )
    rank: int = Field(default=1, description="The sentence's place in the reader's ranking, 1 for the best.")
    decision: str


class Result(BaseModel):
    """The answer to one question: the best sentence first, then supporting ones."""

    schema_version: int = Field(default=SCHEMA_VERSION, description="The version of this JSON's layout.")
    question: str
    answered: bool
    answers: list[Passage] = Field(default_factory=list)
    closest: list[Passage] = Field(
        default_factory=list,
        description="When not answered: the nearest sentences, which do not answer the question.",
    )
    reason: str | None = Field(default=None, description="Why there is no answer.")
    probability: float | None = Field(
        default=None,
        description="The abstention model's estimate that the corpus answers the question (trained on "
        "questions asked with and without their source; its calibration is measured in docs/training.md); "
        "answered when it reaches the reader's threshold.",
    )
    agreement: str | None = Field(
        default=None,
        description='"agree" when every listed answer gives the same short answer, "differ" '
        "when their figures or names disagree; null when there is nothing to compare.",
    )
    interpreted_as: str | None = Field(
        default=None,
        description="In a conversation: the question as it was read, when it leaned on the "
        'previous turn ("How old is he?" read as "How old is Liang Wenfeng?").',
    )
    explanation: Explanation | None = None
    # Not part of the result as printed or logged: what the chat shows for `e` on a sentence.
    explanations: list[Explanation] = Field(
        default_factory=list, exclude=True,
        description="With explain: why each sentence listed (answers, then closest) is there, in order.",
    )
    notice: str | None = Field(
        default=None,
        description="Set when a file the answer quoted no longer said what the index held "
        "(edited with its size and time kept, or a damaged index): the file was read again and "
        "the question answered anew; or when shards of a sharded index did not answer.",
    )
    shards_not_answering: list[int] | None = Field(
        default=None,
        description="A sharded index only: the shards (numbered from 0) that did not answer, even "
        "after retries. The result then holds only what the other shards found: it may not be the "
        "corpus's best answer.",
    )

    def to_json(self, *, explanation: bool = True, ascii_only: bool = False) -> str:
        """One line of JSON, as `--json` prints it and the log keeps it; ``explanation`` keeps
        the explanation when there is one. Written with json, not pydantic's writer: a file
        name that is not UTF-8 holds a lone surrogate (\\udcff), which pydantic refuses and an
        escape keeps; ``ascii_only`` escapes every other character too."""
        import json

        exclude = None if explanation and self.explanation is not None else {"explanation"}
        return json.dumps(self.model_dump(mode="json", exclude=exclude), separators=(",", ":"),
                          ensure_ascii=ascii_only)


class CorpusInfo(BaseModel):
    """What the engine has read."""

    name: str
    path: str
    articles: int
    sentences: int
    warnings: list[str] = Field(default_factory=list)
