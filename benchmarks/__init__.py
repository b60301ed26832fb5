"""`make bench`: the bot measured against a bare matrix-nio bot on the same Synapse (see README.md)."""
