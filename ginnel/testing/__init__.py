"""Helpers for Ginnel's own test suite (not used at run time)."""
