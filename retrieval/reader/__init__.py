"""The reader: features of candidate sentences, learned ranking, learned abstention and support."""
