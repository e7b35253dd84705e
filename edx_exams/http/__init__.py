"""
The HTTP plumbing shared by the REST API (``apps.api``) and the LTI endpoints (``apps.lti``).

Neither app imports the other: both import this package for the exception handler,
route helper, JSON parser, content negotiation, JWT authentication and the
database-outage helpers. It holds no domain rules and reaches core only through
``core.api`` (ADR 0017).
"""
