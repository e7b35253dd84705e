"""OpenAPI (drf-spectacular) extensions for the authentication classes in use."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ExamsJwtAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describe `Authorization: JWT <token>` (or the split JWT cookies) in the schema."""

    target_class = 'edx_exams.http.authentication.ExamsJwtAuthentication'
    name = 'jwtAuth'

    def get_security_definition(self, auto_schema):
        """Describe the JWT as an API key in the Authorization header, prefixed with `JWT `."""
        return {
            'type': 'apiKey',
            'in': 'header',
            'name': 'Authorization',
            'description': 'An LMS JWT as `JWT <token>`; browsers send the split JWT cookies with USE-JWT-COOKIE.',
        }
