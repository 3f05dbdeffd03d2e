"""Problems a place lookup or an import can report, each with a message fit to show a user."""


class LookupProblem(Exception):
    """A search for a place failed; `message` is written for the person who typed the search."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidPostcode(LookupProblem):
    """The text is not shaped like a UK postcode."""

    def __init__(self, message: str = "Enter a real postcode, like NR30 1NE") -> None:
        super().__init__(message)


class PlaceNotFound(LookupProblem):
    """The text is well formed but matches nothing we hold; `suggestion` says what to try."""

    def __init__(self, message: str, suggestion: str = "") -> None:
        super().__init__(message)
        self.suggestion = suggestion


class ImportFailed(Exception):
    """A data file could not be imported; nothing was written. The text names file, line and column."""
