"""Benchmarks: `make bench` runs every module listed in `benchmarks.__main__` and prints numbers."""
