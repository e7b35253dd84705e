"""Django apps of edx-exams."""
