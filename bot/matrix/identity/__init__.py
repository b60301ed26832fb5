"""The bot's own identity: canonical JSON and ed25519 signatures, its cross-signing keys
(made once, kept encrypted in the data dir), whose devices it trusts, its one-time keys.

May import the connection modules of ``bot.matrix`` (retry, session), the configuration
and the store; never ``bot.matrix.late_keys``.
"""
