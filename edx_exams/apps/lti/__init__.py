"""LTI 1.3 Proctoring Services: this service as the LTI platform."""
