"""A DAG for the example: the real Airflow runs it; the offline scheduler stand-in records it."""
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("example_pipeline", start_date=datetime(2024, 1, 1), schedule="@hourly", catchup=False) as dag:
    BashOperator(task_id="extract", bash_command="echo extract") >> BashOperator(task_id="load", bash_command="echo load")
