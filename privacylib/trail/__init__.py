"""The audit trail: the signed manifest, keys, verification, publishing a run as one
step, the audit store across runs, and the log of unmasked views."""
