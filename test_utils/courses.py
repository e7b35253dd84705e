"""Course keys shared by the tests."""

# The course of the tests: ExamFactory puts exams in it unless told otherwise.
COURSE = 'course-v1:edX+DemoX+Demo_Course'

# A second course, for what must stay out of sight of COURSE's staff and learners.
OTHER_COURSE = 'course-v1:edX+Other+2026'
