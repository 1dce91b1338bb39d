#!/bin/sh
# A small stand-in for the official MySQL/MariaDB images' entrypoint: initialises the data
# directory on first start from MYSQL_*/MARIADB_* variables, then runs the server on 0.0.0.0:3306.
# Like the real ones it takes seconds before the port opens, and has no healthcheck.
set -eu
root_password=${MARIADB_ROOT_PASSWORD:-${MYSQL_ROOT_PASSWORD:-}}
database=${MARIADB_DATABASE:-${MYSQL_DATABASE:-}}
user=${MARIADB_USER:-${MYSQL_USER:-}}
password=${MARIADB_PASSWORD:-${MYSQL_PASSWORD:-}}
datadir=/var/lib/mysql

if [ ! -d "$datadir/mysql" ]; then
  echo "entrypoint: initialising $datadir"
  mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db --auth-root-authentication-method=normal >/dev/null
  sql=/tmp/init.sql
  {
    echo "FLUSH PRIVILEGES;"
    echo "DELETE FROM mysql.global_priv WHERE User='';"
    if [ -n "$root_password" ]; then
      echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$root_password';"
      echo "CREATE USER 'root'@'%' IDENTIFIED BY '$root_password';"
      echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    fi
    [ -n "$database" ] && echo "CREATE DATABASE IF NOT EXISTS \`$database\`;"
    if [ -n "$user" ] && [ -n "$password" ]; then
      echo "CREATE USER '$user'@'%' IDENTIFIED BY '$password';"
      [ -n "$database" ] && echo "GRANT ALL ON \`$database\`.* TO '$user'@'%';"
    fi
    echo "FLUSH PRIVILEGES;"
  } >"$sql"  # --bootstrap reads one statement per line
  mariadbd --user=mysql --datadir="$datadir" --skip-networking --bootstrap <"$sql"
  rm -f "$sql"
fi
echo "entrypoint: starting mariadbd"
exec mariadbd --user=mysql --datadir="$datadir" --bind-address=0.0.0.0 --port=3306 --skip-name-resolve
