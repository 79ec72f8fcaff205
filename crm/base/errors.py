"""Domain errors carry a message for people; views turn them into form messages."""


class DomainError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def attach_to_form(form, error: DomainError) -> None:
    """Show a domain error beside the field it concerns, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
