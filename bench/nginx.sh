# Sourced by the benchmarks that need a static JSON upstream or a reverse proxy: installs wrk and nginx
# when missing, and starts nginx servers of one worker process each, their files in $WORK (set before
# sourcing). The caller's EXIT trap calls stop_nginx.
command -v wrk >/dev/null && command -v nginx >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx >/dev/null; }

# start_nginx NAME HTTP-BODY: an nginx of one worker process serving the `http { }` body given (access log
# off), with its config, pid and error log in $WORK/nginx-NAME.*
start_nginx() {
  cat > "$WORK/nginx-$1.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx-$1.pid;
error_log $WORK/nginx-$1.log warn;
events { worker_connections 4096; }
http {
  access_log off;
$2
}
NGINX
  nginx -e "$WORK/nginx-$1.log" -c "$WORK/nginx-$1.conf"
}

# json_server PORT BODY: a server block answering every path with 200 and BODY as application/json
json_server() {
  echo "  server { listen 127.0.0.1:$1; location / { default_type application/json; return 200 '$2'; } }"
}

# nginx_worker NAME: the pid of nginx NAME's one worker process (its master's child)
nginx_worker() {
  local master worker
  for _ in $(seq 100); do
    master=$(cat "$WORK/nginx-$1.pid" 2>/dev/null || true)
    worker=${master:+$(pgrep -P "$master" || true)}
    [ -n "$worker" ] && { echo "$worker"; return; }
    sleep 0.1
  done
  echo "no nginx worker for $1" >&2; exit 1
}

stop_nginx() { local f; for f in "$WORK"/nginx-*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done; true; }
