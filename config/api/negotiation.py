from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class ApiContentNegotiation(DefaultContentNegotiation):
    """An unknown `?format=` is a 400 naming the parameter (DRF answers 404, which reads as if
    the resource did not exist)."""

    def filter_renderers(self, renderers, format):
        chosen = [renderer for renderer in renderers if renderer.format == format]
        if not chosen:
            offered = ", ".join(sorted({r.format for r in renderers if r.format != "api"}))
            raise ValidationError(
                {"format": [f"Unknown format {format!r}; this endpoint offers: {offered}."]},
                code="invalid_choice",
            )
        return chosen
