"""Management commands of the LTI app."""
