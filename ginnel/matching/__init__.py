"""Matching: suggestions of people, groups, events, services and opportunities.

``engine`` is the pure core (numpy and scipy.sparse, nothing from Django);
``text`` turns free text into TF-IDF vectors; ``adapter`` reads a community's
candidate sources (offers, requests, skills, peers; the directory adds its
own) into the engine and renders what it suggests (see docs/matching.md).
"""
