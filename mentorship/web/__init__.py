"""Pages of the mentoring domain: programs (admins), invitations, CSV imports and pairings."""
