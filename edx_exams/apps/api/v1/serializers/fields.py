"""
Serializer fields that accept only the JSON type they name.

DRF's fields coerce: `"30"` becomes 30, `1` and `"yes"` become True, `30` becomes
`"30"`. For bodies sent by programs (Studio, the MFEs) a wrong type is a bug we
should report with a 400, not guess around.
"""

from rest_framework import serializers

# The largest id a 64-bit primary key holds; a larger one cannot name a row (and crashes SQLite's `IN`).
MAX_ROW_ID = 2**63 - 1


class StrictCharField(serializers.CharField):
    """A JSON string."""

    def to_internal_value(self, data):
        """Refuse anything but a string."""
        if not isinstance(data, str):
            self.fail('invalid')
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer (not a boolean, a string or a fractional number)."""

    def to_internal_value(self, data):
        """Refuse anything but an integer."""
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail('invalid')
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A JSON boolean."""

    def to_internal_value(self, data):
        """Refuse anything but true or false."""
        if not isinstance(data, bool):
            self.fail('invalid')
        return data
