"""Kinerja's workflow engine: deploy models, run instances, keep the inbox index and the audit trail."""
