"""
Production settings on a SQLite file, for the benchmark's SQLite figures only.

Production runs on MySQL and its settings may refuse any other database engine, so this module
loads them unchanged (the operator's YAML file and environment, which name a MariaDB database that
is never connected to) and then swaps in the SQLite file named by `BENCH_SQLITE_PATH`. Everything
else, DEBUG off included, is production's.
"""

import os

from bench.config import sqlite_database
from edx_exams.settings.production import *  # noqa: F403

DATABASES = {'default': sqlite_database(os.environ['BENCH_SQLITE_PATH'])}
