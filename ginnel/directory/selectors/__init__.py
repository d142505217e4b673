"""Reads of the directory, one module per topic."""
