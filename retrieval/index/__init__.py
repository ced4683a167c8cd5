"""The searchable form of a corpus: terms, BM25 over postings, building, saving and opening."""
