"""The project's errors: one base class, so a caller can catch every input problem at once.

Each subclass is a problem with what the user handed in (a file, an option, a folder),
reported as one line naming it; the command line turns any of them into exit code 2.
"""


class LDEError(Exception):
    """Bad input or an unusable resource: a message for the user, not a bug."""
