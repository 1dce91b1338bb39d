"""Stands in for Airflow's scheduler: every few seconds it records a run of each DAG file found in
/opt/airflow/dags (the bind-mounted dags/ folder) in the dag_runs table."""
import os
import time

from common import connect

conn = connect()
with conn.cursor() as cur:
    cur.execute(
        "CREATE TABLE IF NOT EXISTS dag_runs (id INT AUTO_INCREMENT PRIMARY KEY, dag_id VARCHAR(128), "
        "run_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)"
    )
print("scheduler: started", flush=True)
while True:
    dags = sorted(f[:-3] for f in os.listdir("/opt/airflow/dags") if f.endswith(".py"))
    with conn.cursor() as cur:
        for dag in dags:
            cur.execute("INSERT INTO dag_runs (dag_id) VALUES (%s)", (dag,))
    print(f"scheduler: ran {', '.join(dags) or 'no DAGs'}", flush=True)
    time.sleep(float(os.environ.get("SCHEDULER_INTERVAL", "3")))
