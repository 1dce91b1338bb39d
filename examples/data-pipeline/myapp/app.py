"""The founding example's processing app: writes rows to the database and reads them back.

It connects once at start and exits non-zero if the database is not there, as many real apps do:
only a dependency-aware start makes it work with a short-form depends_on.
"""
import os
import sys
import time
from urllib.parse import unquote, urlparse

import pymysql


def connect(url: str):
    u = urlparse(url)
    return pymysql.connect(
        host=u.hostname, port=u.port or 3306, user=unquote(u.username or "root"),
        password=unquote(u.password or ""), database=u.path.lstrip("/") or None, autocommit=True,
    )


def process_batch(conn, batch: int) -> int:
    with conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS events (id INT AUTO_INCREMENT PRIMARY KEY, batch INT, "
            "payload VARCHAR(64), created TIMESTAMP DEFAULT CURRENT_TIMESTAMP)"
        )
        cur.executemany("INSERT INTO events (batch, payload) VALUES (%s, %s)", [(batch, f"event-{batch}-{i}") for i in range(10)])
        cur.execute("SELECT COUNT(*) FROM events")
        return cur.fetchone()[0]


def main() -> int:
    url = os.environ["DATABASE_URL"]
    try:
        conn = connect(url)
    except pymysql.err.OperationalError as e:
        print(f"myapp: cannot reach the database: {e}", file=sys.stderr)
        return 1
    batch = 0
    while True:
        batch += 1
        total = process_batch(conn, batch)
        print(f"myapp: batch {batch} written; {total} rows in events", flush=True)
        if os.environ.get("MYAPP_ONCE"):
            return 0
        time.sleep(float(os.environ.get("MYAPP_INTERVAL", "10")))


if __name__ == "__main__":
    sys.exit(main())
