"""
HTTP endpoints of the LTI 1.3 proctoring platform: thin, each calls one `lti.api` function.

Each is described in the OpenAPI schema under the tag `lti`. Errors are JSON `{"detail": ...}`
(OAuth errors on the token endpoint use the RFC 6749 body); the only HTML is
the auto-submitted form of the OIDC auth response.
"""

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from edx_exams.apps.core import api as core_api
from edx_exams.apps.lti import api, schema
from edx_exams.apps.lti import constants as c
from edx_exams.apps.lti.authentication import LtiBrowserJwtAuthentication
from edx_exams.apps.lti.constants import ACS_MEDIA_TYPE
from edx_exams.apps.lti.exceptions import OAuthError
from edx_exams.http.exceptions import exams_exception_handler
from edx_exams.http.negotiation import FirstRendererNegotiation
from edx_exams.http.schema import error_responses
from edx_exams.http.views import AuditedAPIView

NO_STORE = {'Cache-Control': 'no-store', 'Pragma': 'no-cache'}


class LtiBrowserView(AuditedAPIView):
    """Base of the endpoints the learner's or instructor's browser navigates to (JWT header or cookies)."""

    audit_source = core_api.AuditSource.LTI
    audit_actor = core_api.AuditActor.LEARNER

    authentication_classes = [LtiBrowserJwtAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]


class BrowserNavigationOnly(BasePermission):
    """
    Refuse a request the browser did not make as a navigation (Fetch Metadata `Sec-Fetch-Mode`).

    B1 and B2 change the learner's attempt on a GET, as the learning MFE
    navigates to them. Without this, an `<img>` or `<script>` with their URL on
    any page the learner reads (a forum post, say) would submit a running exam
    with the learner's cookies. Clients that send no Fetch Metadata pass.
    """

    message = 'Open this page by navigating to it.'

    def has_permission(self, request, view):
        """Allow navigations and requests without Fetch Metadata."""
        return request.headers.get('Sec-Fetch-Mode', 'navigate') == 'navigate'


class LtiServiceView(AuditedAPIView):
    """Base of the endpoints a tool calls server to server or by form POST (authorised by what they carry)."""

    audit_source = core_api.AuditSource.LTI
    audit_actor = core_api.AuditActor.PROCTORING_TOOL

    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]


# What the learner's browser navigations to an attempt's launch (start or end) can answer.
LEARNER_LAUNCH_SCHEMA = extend_schema(
    tags=['lti'],
    responses={
        302: schema.REDIRECT,
        **error_responses(
            400,
            401,
            403,
            404,
            409,
            e400='The exam has no LTI proctoring tool.',
            e403='Not your attempt, or not a browser navigation (`Sec-Fetch-Mode`).',
            e404='No such attempt.',
            e409="The attempt's status does not allow this.",
        ),
    },
)


@LEARNER_LAUNCH_SCHEMA
class StartProctoringView(LtiBrowserView):
    """GET /lti/start_proctoring/{attempt_id}: own attempt -> download_software_clicked; 302 to the tool's login."""

    permission_classes = [IsAuthenticated, BrowserNavigationOnly]

    def get(self, request, attempt_id):
        """Start the LtiStartProctoring launch."""
        return HttpResponseRedirect(api.begin_start_proctoring(int(attempt_id), user=request.user))


@LEARNER_LAUNCH_SCHEMA
class EndAssessmentView(LtiBrowserView):
    """GET /lti/end_assessment/{attempt_id}: submit, then 302 to the LtiEndAssessment launch or to the exam."""

    permission_classes = [IsAuthenticated, BrowserNavigationOnly]

    def get(self, request, attempt_id):
        """Submit the learner's attempt."""
        return HttpResponseRedirect(api.begin_end_assessment(int(attempt_id), user=request.user))


@extend_schema(
    tags=['lti'],
    responses={
        302: schema.REDIRECT,
        **error_responses(
            400,
            401,
            403,
            404,
            e400='The exam has no LTI proctoring tool.',
            e403='Not course staff.',
            e404='No such exam.',
        ),
    },
)
class InstructorToolView(LtiBrowserView):
    """GET /lti/exam/{exam_id}/instructor_tool: course staff only; 302 to the tool's review dashboard launch."""

    audit_actor = core_api.AuditActor.STAFF

    def get(self, request, exam_id):
        """Start a resource-link launch as instructor."""
        return HttpResponseRedirect(api.begin_instructor_launch(int(exam_id), user=request.user))


@extend_schema(
    tags=['lti'],
    responses={
        (200, 'text/html'): schema.AUTO_SUBMIT_FORM,
        **error_responses(
            400,
            401,
            403,
            e400='A missing or wrong parameter, an unknown client or redirect URI, or a used or expired hint.',
            e403='Not signed in, or not the user the launch was for.',
        ),
    },
)
class AuthView(LtiBrowserView):
    """GET or POST /lti/auth: the OIDC auth endpoint; answers the auto-submitted id_token form."""

    permission_classes = [AllowAny]  # lti.api refuses an anonymous or different user with 403
    parser_classes = [FormParser]

    @extend_schema(parameters=[schema.OidcAuthRequestSerializer])
    def get(self, request):
        """Authorize a launch from query parameters."""
        return self._authorize(request, request.query_params)

    @extend_schema(
        request={'application/x-www-form-urlencoded': schema.OidcAuthRequestSerializer},
        responses={
            (200, 'text/html'): schema.AUTO_SUBMIT_FORM,
            **error_responses(400, 401, 403, 413, 415),
        },
    )
    def post(self, request):
        """Authorize a launch from form fields."""
        return self._authorize(request, request.data)

    @staticmethod
    def _authorize(request, params):
        form = api.authorize_launch(params, user=request.user)
        page = render_to_string('lti/autosubmit_form.html', {'form': form})
        return HttpResponse(page, headers=NO_STORE)


@extend_schema(
    tags=['lti'],
    request={
        'application/x-www-form-urlencoded': schema.StartAssessmentRequestSerializer,
        'multipart/form-data': schema.StartAssessmentRequestSerializer,
    },
    responses={
        302: OpenApiResponse(description='Back to the exam in the learning MFE.'),
        **error_responses(
            400,
            401,
            403,
            413,
            415,
            e400='A missing, badly signed or mismatched message, or used or expired session data.',
            e403='The signed-in user is not the learner of this attempt.',
        ),
    },
)
class StartAssessmentView(LtiServiceView):
    """POST /lti/start_assessment (form field `JWT`): the tool's LtiStartAssessment; 302 back to the exam."""

    authentication_classes = [LtiBrowserJwtAuthentication]  # only to refuse a different signed-in user
    parser_classes = [FormParser, MultiPartParser]

    def post(self, request):
        """Accept the tool's message."""
        return HttpResponseRedirect(api.accept_start_assessment(request.data.get('JWT'), user=request.user))


@extend_schema(tags=['lti'], responses={200: schema.JwksSerializer})
class JwksView(LtiServiceView):
    """GET /lti/jwks: the platform's public keys."""

    def get(self, request):
        """Return the JWKS."""
        return JsonResponse(api.get_public_jwks(), headers={'Cache-Control': 'public, max-age=300'})


@extend_schema(
    tags=['lti'],
    request={'application/x-www-form-urlencoded': schema.TokenRequestSerializer},
    responses={
        200: schema.TokenResponseSerializer,
        400: OpenApiResponse(schema.OAuthErrorSerializer, description='`unsupported_grant_type` or `invalid_scope`.'),
        401: OpenApiResponse(schema.OAuthErrorSerializer, description='`invalid_client`: a bad client assertion.'),
        **error_responses(413, 415),
    },
)
class TokenView(LtiServiceView):
    """POST /lti/token: OAuth 2 client credentials with a JWT client assertion; the ACS access token."""

    parser_classes = [FormParser]

    def post(self, request):
        """Issue an access token."""
        return Response(api.issue_access_token(request.data), headers=NO_STORE)

    def get_exception_handler(self):
        """Answer OAuth errors with the RFC 6749 body."""
        return _oauth_exception_handler


class AcsRenderer(JSONRenderer):
    """JSON in the ACS media type."""

    media_type = ACS_MEDIA_TYPE


@extend_schema(
    tags=['lti'],
    request={c.ACS_MEDIA_TYPE: schema.AcsRequestSerializer, 'application/json': schema.AcsRequestSerializer},
    parameters=[
        OpenApiParameter('Authorization', str, OpenApiParameter.HEADER, description='`Bearer <token>` from /lti/token.')
    ],
    responses={
        200: schema.AcsResponseSerializer,
        **error_responses(
            400,
            401,
            403,
            404,
            406,
            409,
            413,
            e400='An invalid control request.',
            e401='A missing, invalid or expired access token, or one without the control scope.',
            e403='The token belongs to another tool, or the attempt is not proctored by this tool.',
            e404='Unknown control URL, or no attempt matches the user, resource link and attempt number.',
            e406=f'The body is not {c.ACS_MEDIA_TYPE} (or JSON).',
            e409='The attempt was reset.',
        ),
    },
)
class AcsView(LtiServiceView):
    """POST /lti/{registration_id}/acs: an Assessment Control Service request (Bearer token)."""

    renderer_classes = [AcsRenderer]
    content_negotiation_class = FirstRendererNegotiation

    def post(self, request, registration_id):
        """Apply the control action."""
        reply = api.control_assessment(
            int(registration_id),
            authorization=request.headers.get('Authorization', ''),
            content_type=request.content_type,
            body=request.body,
        )
        return Response(reply)


def _oauth_exception_handler(exc, context):
    if isinstance(exc, OAuthError):
        body = {'error': exc.error, 'error_description': exc.message}
        return Response(body, status=exc.http_status, headers=NO_STORE)
    return exams_exception_handler(exc, context)
