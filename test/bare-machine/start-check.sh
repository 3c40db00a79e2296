#!/usr/bin/env bash
# Inside the bare machine, as a normal user: `npm start` comes up, both servers answer, the line
# about what it runs without is printed, and Ctrl-C stops it.
set -euo pipefail
cd ~/kube-troubleshoot
log=$(mktemp)
set -m # its own process group, as in a terminal, so Ctrl-C can be sent to all of it
npm start > "$log" 2>&1 &
pid=$!
ready='Kube Troubleshoot portal: http://localhost:3000'
for _ in $(seq 1 1200); do
  grep -q "$ready" "$log" && break
  kill -0 "$pid" 2>/dev/null || { tail -n 40 "$log"; echo 'npm start exited' >&2; exit 1; }
  sleep 1
done
grep -q "$ready" "$log" || { tail -n 40 "$log"; echo 'npm start did not come up in 20 minutes' >&2; exit 1; }
for _ in $(seq 1 50); do grep -q 'Without isolation' "$log" && break; sleep 0.1; done
grep -E '^\[kube-troubleshoot\]|Kube Troubleshoot portal|Without isolation' "$log" | cut -c1-400
node -e '
  Promise.all([["frontend", "http://localhost:3000/"], ["backend", "http://localhost:7007/.backstage/health/v1/readiness"]]
    .map(([name, url]) => fetch(url).then(r => `${name} ${r.status}`)))
    .then(s => { console.log(s.join(", ")); process.exit(s.every(x => x.endsWith(" 200")) ? 0 : 1); });
'
grep -q 'Without isolation' "$log" || { echo 'npm start did not say what it runs without' >&2; exit 1; }
kill -INT -- "-$pid"
wait "$pid" || true
echo "npm start stopped"
