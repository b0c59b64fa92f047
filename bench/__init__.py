"""Benchmarks and the real-page evaluation (run from the repository root: `python -m bench.eval`)."""
