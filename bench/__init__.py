"""Benchmarks run by `make bench`: each module measures a figure against a baseline measured in the same run."""
