"""Late keys: Megolm events whose room key comes in a later sync, the room's events
waiting behind them, the key asked of the sender's device, and the sender asked to
send the message again when none comes.

May import the connection modules of ``bot.matrix`` (retry), the store and the pure
core; never ``bot.matrix.identity``.
"""
