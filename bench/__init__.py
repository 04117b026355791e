"""Benchmarks: `make bench` prints their figures; the README quotes them."""
