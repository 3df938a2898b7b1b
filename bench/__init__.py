"""Benchmarks: `python -m bench.search` (see bench/search.py)."""
