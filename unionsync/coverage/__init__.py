"""Coverage: who can satisfy which demand (issue 6)."""
