"""Joint import-substitution project passports."""
