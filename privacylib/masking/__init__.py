"""Masking: recognising PRC identifiers in any text (identifiers), masking and
pseudonymising them (masker), and the guard that refuses to publish a masked run
folder holding anything unmasked (leakguard)."""
