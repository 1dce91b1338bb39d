"""Stands in for Airflow's webserver: a page on 8080 that shows what the scheduler recorded, and
/health in the shape of Airflow's own."""
import html
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from common import connect

conn = connect()


def runs():
    conn.ping(reconnect=True)
    with conn.cursor() as cur:
        cur.execute("SHOW TABLES LIKE 'dag_runs'")
        if not cur.fetchone():
            return []
        cur.execute("SELECT dag_id, COUNT(*), MAX(run_at) FROM dag_runs GROUP BY dag_id ORDER BY dag_id")
        return cur.fetchall()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            body = json.dumps({"metadatabase": {"status": "healthy"}, "scheduler": {"status": "healthy" if runs() else "starting"}})
            ctype = "application/json"
        else:
            rows = "".join(f"<tr><td>{html.escape(d)}</td><td>{n}</td><td>{t}</td></tr>" for d, n, t in runs())
            body = f"<html><body><h1>DAG runs</h1><table><tr><th>dag</th><th>runs</th><th>last</th></tr>{rows}</table></body></html>"
            ctype = "text/html"
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        print("webserver:", fmt % args, flush=True)


print("webserver: listening on 8080", flush=True)
ThreadingHTTPServer(("0.0.0.0", 8080), Handler).serve_forever()
