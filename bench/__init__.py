"""Benchmarks: each prints its figures and the ratios that the targets are stated in."""
