"""The repository stands alone: nothing in it points at files a reader of the repository does not have."""

import re
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# Built from parts so that this file does not match itself.
OUTSIDE_REFERENCES = ('..' + '/shared', '/work' + '/shared')

# A path into the repository's own docs, as code, tests and docs cite them: docs/<folder>/<page>.rst.
DOCS_PATH = re.compile(r'\bdocs/\w[\w./-]*\.rst\b')


def tracked_text_files() -> list[Path]:
    """Return every file git tracks in the repository (and any new one not ignored), skipping binaries."""
    listed = subprocess.run(  # fixed arguments, no shell
        ['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],  # noqa: S607 (git from PATH)
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    files = [REPO_ROOT / name for name in listed.split('\0') if name]
    return [path for path in files if path.is_file() and b'\0' not in path.read_bytes()[:8192]]


@pytest.fixture(scope='module')
def text_files() -> list[Path]:
    """The repository's text files; skips when git or the repository's metadata is not available."""
    try:
        return tracked_text_files()
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f'not a git checkout: {error}')


def test_the_listing_finds_the_repository_files(text_files):
    names = {path.relative_to(REPO_ROOT).as_posix() for path in text_files}
    assert {'README.rst', 'docs/references/client-contracts.rst', 'edx_exams/apps/core/api.py'} <= names


def test_no_file_refers_to_documents_outside_the_repository(text_files):
    offenders = [
        f'{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}'
        for path in text_files
        for number, line in enumerate(path.read_text(errors='replace').splitlines(), start=1)
        if any(reference in line for reference in OUTSIDE_REFERENCES)
    ]
    assert offenders == []


def test_every_cited_docs_page_exists(text_files):
    cited = {
        (path.relative_to(REPO_ROOT).as_posix(), match)
        for path in text_files
        for match in DOCS_PATH.findall(path.read_text(errors='replace'))
    }
    missing = sorted(f'{source} cites {target}' for source, target in cited if not (REPO_ROOT / target).is_file())
    assert missing == []
