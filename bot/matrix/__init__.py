"""The Matrix adapter: matrix-nio with end-to-end encryption.

Three parts. The connection, here: login and session files, the sync loop and its
retries, per-room workers, the outbox, reading received content. The bot's own
identity, in ``identity/``: signatures, cross-signing, which devices it trusts, its
one-time keys. Late keys, in ``late_keys/``: Megolm events whose room key comes
late, asking for it, and asking the sender to send again.

Other layers import only what this package exports below (``tests/project/test_layout.py``
refuses imports of its modules from outside it). May import the configuration, the
store and the pure core; never the commands, messages, runtime or app above it.
"""

from bot.matrix.content import poll_answer, read_message
from bot.matrix.identity.report import report_identity
from bot.matrix.retry import NET_ERRORS, MatrixError, describe
from bot.matrix.session import SessionFiles, write_private
from bot.matrix.transport import MatrixTransport

__all__ = ["NET_ERRORS", "MatrixError", "MatrixTransport", "SessionFiles", "describe", "poll_answer",
           "read_message", "report_identity", "write_private"]
