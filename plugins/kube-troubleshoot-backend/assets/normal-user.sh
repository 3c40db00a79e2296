# Kube Troubleshoot's production shell (POSIX sh): never a root shell.
# Usage: sh -c "$(cat normal-user.sh)" normal-user USER [WRITABLE_PATH...] [-- COMMAND [ARG...]]
# As root it creates USER if missing (useradd, else busybox's adduser -D), makes only the given
# paths writable for it, and runs the shell (bash, else sh) as USER with setpriv, runuser or su,
# whichever the image has. A container that already runs as non-root gets its shell directly.
# With `-- COMMAND`, that command runs as USER instead of the shell (file downloads: tar), through
# setpriv or runuser only, which pass arguments exactly as given.
user=${1:?usage: normal-user USER [WRITABLE_PATH...]}
shift
say() { echo "kube-troubleshoot: $*" >&2; }
shell=/bin/sh
if command -v bash >/dev/null 2>&1; then shell=$(command -v bash); fi
# The effective uid from the kernel, so an image without `id` cannot make this look non-root.
me=
if [ -r /proc/self/status ]; then
  while read -r key _real effective _rest; do
    if [ "$key" = "Uid:" ]; then me=$effective; break; fi
  done < /proc/self/status
fi
[ -n "$me" ] || me=$(id -u 2>/dev/null)
case $me in
  '' | *[!0-9]*) say "cannot tell which user this container runs as; refusing to open a shell"; exit 126 ;;
esac
# Everything after `--` is the command to run instead of the shell.
paths=0
for a in "$@"; do
  [ "$a" = "--" ] && break
  paths=$((paths + 1))
done
command_given=no
[ "$paths" -lt "$#" ] && command_given=yes
if [ "$me" != 0 ]; then
  while [ "$paths" -gt 0 ]; do shift; paths=$((paths - 1)); done
  if [ "$command_given" = yes ]; then shift; exec "$@"; fi
  printf '\033]633;P;Shell=%s\007' "${shell##*/}"
  # The session's shell integration, when it was put before this (shell-integration.sh).
  if command -v kt_integrate >/dev/null 2>&1; then kt_integrate "$shell" '$ '; fi
  exec "$shell"
fi
if ! id "$user" >/dev/null 2>&1; then
  if command -v useradd >/dev/null 2>&1; then
    useradd -m -s "$shell" "$user" || { say "useradd $user failed"; exit 126; }
  elif command -v adduser >/dev/null 2>&1; then
    adduser -D -s "$shell" "$user" || { say "adduser -D $user failed"; exit 126; }
  else
    say "cannot create the user $user: the image has neither useradd nor adduser"
    exit 126
  fi
fi
uid=$(id -u "$user" 2>/dev/null)
gid=$(id -g "$user" 2>/dev/null)
case "$uid:$gid" in
  0:* | *:0 | :* | *:) say "the user $user has uid or gid 0 (or none): refusing to open a shell"; exit 126 ;;
esac
while [ "$paths" -gt 0 ]; do
  p=$1
  shift
  paths=$((paths - 1))
  # Never through a link: a link planted by an earlier session could point anywhere.
  if [ -L "$p" ]; then say "$p is a symbolic link: not made writable"; continue; fi
  mkdir -p "$p" 2>/dev/null
  chown -h "$uid:$gid" "$p" 2>/dev/null || say "could not make $p writable for $user"
done
[ "$command_given" = yes ] && shift
home=$(eval "echo ~$user")
[ -d "$home" ] || home=/
export HOME="$home" USER="$user" LOGNAME="$user" SHELL="$shell"
cd "$home" 2>/dev/null || cd /
if [ "$command_given" = yes ]; then
  if command -v setpriv >/dev/null 2>&1; then
    exec setpriv --reuid="$uid" --regid="$gid" --init-groups --no-new-privs "$@"
  elif command -v runuser >/dev/null 2>&1; then
    exec runuser -u "$user" -- "$@"
  fi
  say "cannot run $1 as $user: the image has neither setpriv nor runuser"
  exit 126
fi
# Says which shell runs (a terminal property sequence the status reads; terminals ignore it).
printf '\033]633;P;Shell=%s\007' "${shell##*/}"
if command -v kt_integrate >/dev/null 2>&1; then kt_integrate "$shell" '$ '; fi
if command -v setpriv >/dev/null 2>&1; then
  exec setpriv --reuid="$uid" --regid="$gid" --init-groups --no-new-privs "$shell"
elif command -v runuser >/dev/null 2>&1; then
  exec runuser -u "$user" -- "$shell"
elif command -v su >/dev/null 2>&1; then
  exec su -s "$shell" "$user"
fi
say "cannot switch to $user: the image has none of setpriv, runuser and su"
exit 126
