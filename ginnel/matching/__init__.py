"""Matching: suggestions of people, groups, events, services and opportunities.

``engine`` is the pure core (numpy and scipy.sparse, nothing from Django);
``text`` turns free text into TF-IDF vectors. The adapter that reads people,
listings and consent from the database comes next (see docs/matching.md).
"""
