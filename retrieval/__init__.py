"""Finding the sentence that answers: terms, BM25, the answer selector and abstention."""
