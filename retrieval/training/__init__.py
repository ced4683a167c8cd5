"""Evaluation and training, apart from the answering path: scoring question sets, fitting the reader's weights and checking them."""
