"""The Matrix adapter: matrix-nio with end-to-end encryption.

Login and session files, the sync loop and its retries, per-room workers, late
room keys, the outbox. May import the configuration, the store and the pure core;
never the commands, messages, runtime or app above it.
"""
