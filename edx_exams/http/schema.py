"""OpenAPI (drf-spectacular) pieces shared by the views: the JWT scheme and the error responses."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


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


class LtiBrowserJwtAuthenticationScheme(ExamsJwtAuthenticationScheme):
    """The same JWT on the LTI endpoints a browser navigates to (they skip the CSRF check)."""

    target_class = 'edx_exams.apps.lti.authentication.LtiBrowserJwtAuthentication'
    name = 'ltiBrowserJwtAuth'


# The body of every error answer: `{"detail": text}`, plus `errors` (field -> messages) on a 400.
# (An inline serializer: a Serializer class cannot declare a field named `errors`, its own property.)
ERROR_BODY = inline_serializer(
    'Error',
    fields={
        'detail': serializers.CharField(help_text='What went wrong, for a human.'),
        'errors': serializers.JSONField(
            required=False, help_text='On an invalid body or query: the messages of each field (or list item).'
        ),
    },
)


ERROR_DESCRIPTIONS = {
    400: 'Invalid input: a malformed course key, body or query parameter; `errors` names the fields.',
    401: 'No valid credentials (a missing, expired or badly signed JWT).',
    403: 'Authenticated, but not allowed to do this.',
    404: 'No such object (or not in this course).',
    406: 'The response cannot be given in the media type the request accepts.',
    409: "The object's current state does not allow this.",
    413: 'The request body is larger than the service accepts.',
    415: 'The request body is not in a media type this operation parses.',
}
BODY_ERRORS = (400, 413, 415)


def error_responses(*statuses: int, **descriptions: str) -> dict:
    """
    Return drf-spectacular `responses` entries for error statuses, each with the `Error` body (`ERROR_BODY`).

    `statuses` are HTTP status codes; `descriptions` replace the default text of
    a status, keyed `e404='...'` (a keyword cannot be a number).
    """
    custom = {int(key.removeprefix('e')): text for key, text in descriptions.items()}
    codes = sorted(set(statuses) | set(custom))
    return {
        code: OpenApiResponse(ERROR_BODY, description=custom.get(code, ERROR_DESCRIPTIONS.get(code, '')))
        for code in codes
    }


class ObjectOrEmpty(serializers.Serializer):
    """Schema marker: the body is `inner`'s object, or `{}` (for example "no attempt yet"); never serialized."""

    def __init__(self, inner: type[serializers.Serializer], **kwargs):
        self.inner = inner
        super().__init__(**kwargs)


class ObjectOrEmptyExtension(OpenApiSerializerExtension):
    """Describe an `ObjectOrEmpty` as `oneOf: [inner, {}]`, in a component named `<Inner>OrEmpty`."""

    target_class = ObjectOrEmpty

    def get_name(self, auto_schema, direction):
        """Name the component after the inner serializer."""
        return f'{self.target.inner.__name__.removesuffix("Serializer")}OrEmpty'

    def map_serializer(self, auto_schema, direction):
        """Return either the inner object or an empty object."""
        inner = auto_schema.resolve_serializer(self.target.inner, direction)
        return {'oneOf': [inner.ref, {'type': 'object', 'maxProperties': 0}]}


NO_ROUTE = {
    '404': 'No route: a path parameter does not match its pattern (for example a non-numeric id).',
    '405': 'A path parameter outside its pattern turned the path into another endpoint, without this method '
    '(for example a course id of one segment followed by "/allowances/1", read as an old-style course key).',
}


def document_unmatched_paths(result, generator, request, public):
    """
    Postprocessing hook: give every operation with path parameters its "no route" answers.

    A path whose parameter does not match the URL pattern reaches no view (404),
    or another endpoint that lacks the method (405); either answer is JSON
    `{"detail": ...}`. This adds those statuses (or the JSON media type to an
    existing 404 of an endpoint that answers in another media type).
    """
    error_body = {'schema': {'$ref': '#/components/schemas/Error'}}
    for operations in result.get('paths', {}).values():
        for operation in operations.values():
            if not any(parameter.get('in') == 'path' for parameter in operation.get('parameters', [])):
                continue
            for status_code, description in NO_ROUTE.items():
                response = operation['responses'].setdefault(status_code, {'description': description})
                if response['description'] != description:
                    response['description'] += f' Or: {description}'
                response.setdefault('content', {}).setdefault('application/json', error_body)
    return result
