"""A learner driving the exams API the way frontend-lib-special-exams does."""

from urllib.parse import quote

from test_utils.auth import JwtClient


class LearnerSession:
    """Calls L1-L7 of docs/references/client-contracts.rst section 1.1 for one learner, with the client's exact URLs."""

    def __init__(self, user, *, encode_keys: bool = False):
        self.user = user
        self.client = JwtClient().as_user(user)
        self.encode_keys = encode_keys

    def _key(self, key: str) -> str:
        return quote(key, safe='') if self.encode_keys else key

    def exam(self, course_id: str, content_id: str):
        """L1: the exam with the learner's attempt."""
        return self.client.get(
            f'/api/v1/student/exam/attempt/course_id/{self._key(course_id)}/content_id/{self._key(content_id)}'
        )

    def latest(self, content_id: str | None = None):
        """L2 (no content id) or L3 (with one, URL-encoded as the lib does)."""
        url = '/api/v1/exams/attempt/latest'
        if content_id:
            url += f'?content_id={quote(content_id, safe="")}'
        return self.client.get(url)

    def create(self, exam_id, *, start_clock='true', attempt_proctored='false'):
        """L4: booleans as strings, exactly as the lib sends them."""
        body = {'exam_id': exam_id, 'start_clock': start_clock, 'attempt_proctored': attempt_proctored}
        return self.client.post('/api/v1/exams/attempt', body, format='json')

    def act(self, attempt_id, action, **extra):
        """L5: PUT an action."""
        return self.client.put(f'/api/v1/exams/attempt/{attempt_id}', {'action': action, **extra}, format='json')

    def token(self, exam_id):
        """L7: the exam access token (trailing slash, as the lib sends it)."""
        return self.client.get(f'/api/v1/access_tokens/exam_id/{exam_id}/')

    def status_of(self, course_id, content_id) -> str | None:
        """The attempt status the screens use (exam.attempt from L1)."""
        return self.exam(course_id, content_id).json()['exam']['attempt'].get('attempt_status')
