"""Answering a question: the engine, search, evidence, the verdict, confidence, the
answer, the catalogue and the reader."""
