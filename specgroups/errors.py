"""The one exception type for bad input anywhere in specgroups."""


class InputError(ValueError):
    """Bad input: the message names the file or material and what is wrong.

    Stages catch it, print the message on one line and exit with status 2,
    so a user sees which item to fix instead of a traceback.
    """
