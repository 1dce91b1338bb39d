"""Shared by the stand-ins: one database connection from DATABASE_URL, made once at start."""
import os
import sys
from urllib.parse import unquote, urlparse

import pymysql


def connect():
    u = urlparse(os.environ["DATABASE_URL"])
    try:
        return pymysql.connect(
            host=u.hostname, port=u.port or 3306, user=unquote(u.username or "root"),
            password=unquote(u.password or ""), database=u.path.lstrip("/"), autocommit=True,
        )
    except pymysql.err.OperationalError as e:
        # Like Airflow at start: no database, no service.
        print(f"cannot reach the metadata database: {e}", file=sys.stderr)
        sys.exit(1)
