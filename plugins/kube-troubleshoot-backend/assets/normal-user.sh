# Kube Troubleshoot's production shell (POSIX sh): never a root shell.
# Usage: sh -c "$(cat normal-user.sh)" normal-user USER [WRITABLE_PATH...]
# As root it creates USER if missing (useradd, else busybox's adduser -D), makes only the given
# paths writable for it, and runs the shell (bash, else sh) as USER with setpriv, runuser or su,
# whichever the image has. A container that already runs as non-root gets its shell directly.
user=${1:?usage: normal-user USER [WRITABLE_PATH...]}
shift
shell=/bin/sh
if command -v bash >/dev/null 2>&1; then shell=$(command -v bash); fi
if [ "$(id -u)" != 0 ]; then
  exec "$shell"
fi
say() { echo "kube-troubleshoot: $*" >&2; }
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
uid=$(id -u "$user")
gid=$(id -g "$user")
for p in "$@"; do
  mkdir -p "$p" 2>/dev/null
  chown "$uid:$gid" "$p" 2>/dev/null || say "could not make $p writable for $user"
done
home=$(eval "echo ~$user")
[ -d "$home" ] || home=/
export HOME="$home" USER="$user" LOGNAME="$user" SHELL="$shell"
cd "$home" 2>/dev/null || cd /
if command -v setpriv >/dev/null 2>&1; then
  exec setpriv --reuid="$uid" --regid="$gid" --init-groups "$shell"
elif command -v runuser >/dev/null 2>&1; then
  exec runuser -u "$user" -- "$shell"
elif command -v su >/dev/null 2>&1; then
  exec su -s "$shell" "$user"
fi
say "cannot switch to $user: the image has none of setpriv, runuser and su"
exit 126
