"""The "next step" of the demo and the example workflow: uses the action's outputs to query the
rows myapp and the scheduler wrote, and to fetch the webserver page."""
import sys
import urllib.request
from urllib.parse import unquote, urlparse

import pymysql

db_url, web_url = sys.argv[1], sys.argv[2]
u = urlparse(db_url)
conn = pymysql.connect(host=u.hostname, port=u.port, user=unquote(u.username), password=unquote(u.password or ""), database=u.path.lstrip("/"))
with conn.cursor() as cur:
    cur.execute("SELECT COUNT(*), COUNT(DISTINCT batch) FROM events")
    rows, batches = cur.fetchone()
    print(f"events written by myapp: {rows} rows in {batches} batch(es)")
    assert rows > 0, "myapp wrote no rows"
page = urllib.request.urlopen(web_url, timeout=10).read().decode()
print("webserver page:", "example_pipeline" in page and "shows the scheduler's runs of example_pipeline" or page[:200])
assert "example_pipeline" in page, "the webserver shows no DAG runs"
