"""Benchmarks, and the settings and pages that only they use (bench.settings, bench.urls)."""
