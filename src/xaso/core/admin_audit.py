"""Read-only admin for the audit trail."""
