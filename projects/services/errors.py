class WorkflowError(Exception):
    """A refused action; ``message`` is shown to the user as it is (in Chinese).

    ``field`` names the form field the refusal is about, when there is one: an admin form shows the
    service's refusal on that field (``projects.admin.base.ServiceRefusals``), so a form need not
    repeat the service's checks to place its message.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleTransition(WorkflowError):
    """The record changed after the actor loaded it: somebody else handled it first."""
