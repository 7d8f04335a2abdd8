"""Admin for calendar decisions."""
