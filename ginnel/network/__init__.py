"""Network measures: how well people are connected, by neighbourhood and period.

``metrics`` is the pure core (numpy and igraph, nothing from Django);
``graph`` builds its input from the database for one community and window.
"""
