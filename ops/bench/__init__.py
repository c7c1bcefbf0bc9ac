"""Benchmarks: run one with `python -m ops.bench.<name>`."""
