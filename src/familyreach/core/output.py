from typing import Protocol


class Output(Protocol):
    """Where a command or loader writes progress: a management command's stdout, sys.stdout, a StringIO."""

    def write(self, text: str, /) -> object: ...
