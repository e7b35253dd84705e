"""The OpenAPI schema at /api/schema/: valid OpenAPI 3, complete, and documenting every answer."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.validation import validate_schema

SCHEMA_URL = '/api/schema/?format=json'
DOCUMENTED_PREFIXES = ('/api/v1/', '/lti/')
NAMED_GROUP = re.compile(r'\(\?P<(?P<name>\w+)>')


@pytest.fixture
def schema(api_client):
    response = api_client.get(SCHEMA_URL)
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, methods in schema['paths'].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_schema_is_valid_openapi_3(schema):
    assert schema['openapi'].startswith('3.')
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 meta-schema


def url_routes():
    """Yield (schema path, view methods) for every URL pattern, from the URL configuration itself."""
    yield from _walk(get_resolver().url_patterns, prefix='')


def _walk(patterns, prefix):
    for pattern in patterns:
        regex = prefix + _route_regex(pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, regex)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, 'view_class', None)
            methods = {m for m in getattr(view_class, 'http_method_names', []) if hasattr(view_class, m)}
            yield _as_schema_path(regex), methods - {'options', 'head'}


def _route_regex(pattern) -> str:
    return str(pattern.pattern.regex.pattern).removeprefix('^').removesuffix('$')


def _as_schema_path(regex: str) -> str:
    """Turn `api/v1/exams/(?P<course_id>[^/]+(?:/x)?)/?` into `/api/v1/exams/{course_id}/`."""
    path = ''
    position = 0
    for match in NAMED_GROUP.finditer(regex):
        if match.start() < position:
            continue
        path += regex[position : match.start()] + '{' + match['name'] + '}'
        position = _group_end(regex, match.end())
    path += regex[position:]
    return '/' + path.removesuffix('/?') + '/'


def _group_end(regex: str, start: int) -> int:
    depth = 1
    index = start
    while depth:
        if regex[index] == '\\':
            index += 2
            continue
        depth += {'(': 1, ')': -1}.get(regex[index], 0)
        index += 1
    return index


def test_every_api_and_lti_route_and_method_is_in_the_schema(schema):
    routes = [(path, methods) for path, methods in url_routes() if path.startswith(DOCUMENTED_PREFIXES)]
    assert len(routes) >= 26  # 18 API v1 routes and 8 LTI routes today
    missing = [
        f'{method.upper()} {path}'
        for path, methods in routes
        for method in methods
        if method not in schema['paths'].get(path, {})
    ]
    assert missing == []


def test_the_route_walk_sees_a_route_missing_from_the_schema(schema):
    """The completeness check itself: a route the schema lacks is reported (here the admin, not documented)."""
    admin_routes = [path for path, _ in url_routes() if path.startswith('/admin/')]
    assert admin_routes
    assert not any(path in schema['paths'] for path in admin_routes)


def test_every_operation_documents_its_errors_and_the_body_of_its_success(schema):
    problems = []
    for path, method, operation in operations(schema):
        label = f'{method.upper()} {path}'
        responses = operation['responses']
        errors = [code for code in responses if code.startswith('4')]
        successes = [code for code in responses if code.startswith('2')]
        secured = any(requirement for requirement in operation.get('security', [{}]))
        takes_input = secured or operation.get('parameters') or operation.get('requestBody')
        if takes_input and not errors:
            problems.append(f'{label}: takes input or credentials, but documents no 4xx')
        if secured and '401' not in responses:
            problems.append(f'{label}: authenticated, but no 401')
        problems += [
            f'{label}: {code} without a body' for code in successes if code != '204' and not _has_body(responses[code])
        ]
        problems += [f'{label}: {code} without a body' for code in errors if not _has_body(responses[code])]
    assert problems == []


def _has_body(response) -> bool:
    return any(media.get('schema') for media in response.get('content', {}).values())


def test_lti_endpoints_describe_their_media_types(schema):
    paths = schema['paths']
    assert 'text/html' in paths['/lti/auth/']['get']['responses']['200']['content']
    assert 'application/x-www-form-urlencoded' in paths['/lti/auth/']['post']['requestBody']['content']
    assert 'application/x-www-form-urlencoded' in paths['/lti/token/']['post']['requestBody']['content']
    acs = paths['/lti/{registration_id}/acs/']['post']
    assert 'application/vnd.ims.lti-ap.v1.control+json' in acs['requestBody']['content']
    assert 'application/vnd.ims.lti-ap.v1.control+json' in acs['responses']['200']['content']
    assert '302' in paths['/lti/start_proctoring/{attempt_id}/']['get']['responses']
    assert set(paths['/lti/jwks/']['get']['responses']['200']['content']['application/json']['schema']) == {'$ref'}
