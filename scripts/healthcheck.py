"""
The container health check: exit 0 when this host's web process answers GET /health/ with 200.

The port is the one of GUNICORN_BIND (0.0.0.0:18740 in the image), as gunicorn listens on it.

Run inside the web container (Dockerfile HEALTHCHECK, docker-compose.yml) and by `make prod.smoke`
against each of its servers. Standard library only, so it starts fast. It asks for the host name
`localhost`, which ALLOWED_HOSTS must therefore list (docs/operations/health-checks.rst).
"""

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    """Request /health/ on 127.0.0.1 at the port gunicorn binds; return the exit status."""
    port = os.environ.get('GUNICORN_BIND', '0.0.0.0:18740').rsplit(':', 1)[-1]
    url = f'http://127.0.0.1:{port}/health/'
    request = urllib.request.Request(url, headers={'Host': 'localhost'})
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f'{url}: {error}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
