"""Product nomenclatures: TN VED EAEU codes (and, later, HS and OKPD2)."""
