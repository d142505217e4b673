"""Ginnel: a community connections platform."""

__version__ = "0.1.0"
