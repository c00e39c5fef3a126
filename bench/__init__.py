"""Benchmarks that print figures; results and method in docs/performance.md."""
