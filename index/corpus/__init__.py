"""The articles: files and front matter, uploads and pastes, removed articles, passages,
and PDFs (a file format, read wherever a PDF comes from)."""
