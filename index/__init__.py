"""citebot's answer engine: articles -> passages -> vectors + BM25 -> cited answers.

Importing this package is cheap: the model and FAISS load only when an index is opened.
"""
