"""Names fixed by LTI 1.3 and 1EdTech Proctoring Services 1.0 (claims, message types, scope, actions)."""

LTI_VERSION = '1.3.0'

# Claim prefixes: core LTI and Proctoring Services ("lti-ap").
LTI_CLAIM = 'https://purl.imsglobal.org/spec/lti/claim/'
AP_CLAIM = 'https://purl.imsglobal.org/spec/lti-ap/claim/'

CLAIM_MESSAGE_TYPE = f'{LTI_CLAIM}message_type'
CLAIM_VERSION = f'{LTI_CLAIM}version'
CLAIM_DEPLOYMENT_ID = f'{LTI_CLAIM}deployment_id'
CLAIM_TARGET_LINK_URI = f'{LTI_CLAIM}target_link_uri'
CLAIM_RESOURCE_LINK = f'{LTI_CLAIM}resource_link'
CLAIM_ROLES = f'{LTI_CLAIM}roles'
CLAIM_CONTEXT = f'{LTI_CLAIM}context'
CLAIM_LAUNCH_PRESENTATION = f'{LTI_CLAIM}launch_presentation'
CLAIM_TOOL_PLATFORM = f'{LTI_CLAIM}tool_platform'
CLAIM_CUSTOM = f'{LTI_CLAIM}custom'

CLAIM_ATTEMPT_NUMBER = f'{AP_CLAIM}attempt_number'
CLAIM_START_ASSESSMENT_URL = f'{AP_CLAIM}start_assessment_url'
CLAIM_SESSION_DATA = f'{AP_CLAIM}session_data'
CLAIM_ACS = f'{AP_CLAIM}acs'
CLAIM_PROCTORING_SETTINGS = f'{AP_CLAIM}proctoring_settings'
CLAIM_END_ASSESSMENT_RETURN = f'{AP_CLAIM}end_assessment_return'
CLAIM_VERIFIED_USER = f'{AP_CLAIM}verified_user'

# Message types.
START_PROCTORING = 'LtiStartProctoring'
START_ASSESSMENT = 'LtiStartAssessment'
END_ASSESSMENT = 'LtiEndAssessment'
RESOURCE_LINK_REQUEST = 'LtiResourceLinkRequest'
# Messages the platform sends through the OIDC third-party-initiated login.
PLATFORM_MESSAGE_TYPES = (START_PROCTORING, END_ASSESSMENT, RESOURCE_LINK_REQUEST)

ROLE_LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'
ROLE_INSTRUCTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'
CONTEXT_TYPE_COURSE_OFFERING = 'http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'

# Assessment Control Service.
ACS_SCOPE = 'https://purl.imsglobal.org/spec/lti-ap/scope/control.all'
ACS_MEDIA_TYPE = 'application/vnd.ims.lti-ap.v1.control+json'
ACS_ACTIONS = ('pause', 'resume', 'terminate', 'update', 'flag')
# ACS reply statuses (OAT AcsControlResult).
ACS_STATUS_NONE = 'none'
ACS_STATUS_RUNNING = 'running'
ACS_STATUS_PAUSED = 'paused'
ACS_STATUS_TERMINATED = 'terminated'
ACS_STATUS_COMPLETE = 'complete'

# OAuth 2 client credentials with a JWT client assertion (RFC 7523).
CLIENT_CREDENTIALS_GRANT = 'client_credentials'
JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

# The only signature algorithm accepted from tools and used by the platform.
SIGNING_ALGORITHM = 'RS256'
# The smallest RSA key accepted from a tool (and the size of the platform's keys).
RSA_KEY_SIZE = 2048

# Kinds of single-use values kept in the replay store.
NONCE_START_ASSESSMENT = 'start_assessment'
NONCE_CLIENT_ASSERTION = 'client_assertion'
