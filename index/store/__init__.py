"""What is kept on disk and embedded: the index folder (disk.py), the vectors (FAISS),
BM25, the encoders, owner-only files."""
