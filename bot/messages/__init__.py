"""What users read: the string catalogue (``locales/<lang>/*.yaml``), rendering to
plain text and HTML with every piece of user text escaped, the narrator that turns
the rules' message keys into messages, and the synthesis as posted.

May import the pure core; no I/O but reading the catalogue files.
"""
