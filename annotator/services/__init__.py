"""The operations a user performs, each one transaction, each returning what changed."""
