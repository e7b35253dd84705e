"""Exam access tokens signed per second: our cached key vs edx-token-utils, which parses the JWK per call."""

import time

from _setup import setup_django

setup_django(migrate=False)

from token_utils.api import sign_token_for, unpack_token_for  # noqa: E402

from edx_exams.apps.core.access_tokens import sign_token  # noqa: E402

CLAIMS = {
    'course_id': 'course-v1:edX+DemoX+Demo_Course',
    'content_id': 'block-v1:edX+DemoX+Demo_Course+type@sequential+block@x',
}


def rate(function, seconds=3.0):
    """Call `function` repeatedly for about `seconds` and return calls per second."""
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        function()
        count += 1
    return count / (time.perf_counter() - start)


def main():
    """Print tokens per second for both implementations and check ours unpacks with edx-token-utils."""
    token = sign_token(lms_user_id=42, expires_in=60, claims=CLAIMS)
    assert unpack_token_for(token, 42)['content_id'] == CLAIMS['content_id']
    ours = rate(lambda: sign_token(lms_user_id=42, expires_in=60, claims=CLAIMS))
    theirs = rate(lambda: sign_token_for(42, 60, CLAIMS))
    print(f'edx-exams sign_token:           {ours:8.0f} tokens/s')
    print(f'edx-token-utils sign_token_for: {theirs:8.0f} tokens/s')
    print(f'speed-up: {ours / theirs:.1f}x')


if __name__ == '__main__':
    main()
