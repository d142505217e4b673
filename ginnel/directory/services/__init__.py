"""Writes to the directory, one module per topic (each function one transaction)."""
