"""What users type: command parsing (``parsing``), routing to handlers (``router``)
and the handlers: the game (``play``), privacy (``privacy``), schedules
(``schedules``), between sessions: a room's history (``history``), the follow-up of
action ideas (``followup``), the trainer's direct chat (``trainer``, ``trainer_reports``). A new command gets its names in ``parsing.COMMANDS`` and a handler
here. May import everything below it (core, config, store, messages, runtime);
not ``app`` or ``devtools``.
"""
