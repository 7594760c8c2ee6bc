"""UnionSync: coordination of Belarus–Russia import substitution inside the Union State."""

__version__ = "0.1.0"
