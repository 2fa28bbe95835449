"""Helpers for newsspider's own tests and benchmarks: page mutators, fault servers."""
