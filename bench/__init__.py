"""Benchmarks: citebot beside the plain pipeline, measured in one run on one machine."""
