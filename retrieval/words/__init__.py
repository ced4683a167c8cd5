"""Word data and word lists: English background knowledge (frequencies, WordNet), the shared lists of stopwords, numbers and currencies, and telling English from other languages."""
