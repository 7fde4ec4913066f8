class WorkflowError(Exception):
    """A refused action; ``message`` is shown to the user as it is (in Chinese)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class StaleTransition(WorkflowError):
    """The record changed after the actor loaded it: somebody else handled it first."""
