"""Exams, attempts, allowances, course configuration and proctoring providers."""
