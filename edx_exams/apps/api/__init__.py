"""The REST layer of edx-exams (no models)."""
