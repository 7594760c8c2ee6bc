"""Record linkage of program demand to the partner's capabilities (issue 5, in progress)."""
