"""The reader: features of candidate sentences, learned ranking, calibrated abstention and support."""
