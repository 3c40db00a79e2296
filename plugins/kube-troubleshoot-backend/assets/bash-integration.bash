# Kube Troubleshoot's shell integration for bash, evaluated by the first PROMPT_COMMAND (after the
# user's rc files ran; see shell-integration.sh). Before each command (PS0) it prints
# ESC ] 633 ; E ; <command line, escaped> ; <nonce> BEL, after it (PROMPT_COMMAND)
# ESC ] 633 ; D ; <status> ; <nonce> BEL: the marks of terminals' shell integration, which
# terminals that do not know them ignore. The backend indexes each command from them.
# The command line comes from history (a leading space or HISTIGNORE no longer keep one out); one
# that is not in it all the same is sent without a name, for the typed line to stand in.
__kt_nonce=$KT_NONCE
unset KT_NONCE KT_BASH_RC
export -n PROMPT_COMMAND
# Our bootstrap out, whatever the user's rc files added to it kept.
PROMPT_COMMAND=${PROMPT_COMMAND/eval \"\$KT_BASH_RC\"/}
PROMPT_COMMAND=${PROMPT_COMMAND#;}
# (`set -o history` here would not last: bash restores the option after PROMPT_COMMAND.)
HISTCONTROL=
HISTIGNORE=
# A history of none would name no command.
if [[ ${HISTSIZE-} =~ ^0+$ ]]; then HISTSIZE=500; fi
__kt_ran=
# The history number after the last command (empty when there is none). Every branch succeeds:
# a user's `set -e` must not end the shell.
__kt_histnum() {
  local h
  h=$(HISTTIMEFORMAT= builtin history 1) || h=
  if [[ $h =~ ^[[:space:]]*([0-9]+) ]]; then printf '%s' "${BASH_REMATCH[1]}"; fi
  return 0
}
# What would end or split the mark is written \xNN (a backslash as \\).
__kt_escape() {
  local s=$1
  s=${s//\\/\\\\}; s=${s//;/\\x3b}; s=${s//$'\n'/\\x0a}; s=${s//$'\r'/\\x0d}; s=${s//$'\e'/\\x1b}; s=${s//$'\a'/\\x07}
  printf '%s' "$s"
}
__kt_preexec() {
  local c
  c=$(HISTTIMEFORMAT= builtin history 1)
  # A command that did not enter history (history off, or the number did not advance) gets an
  # empty name, which the index fills from the typed line: history's last entry is an older one.
  if [[ -o history && $c =~ ^[[:space:]]*([0-9]+)\*?[[:space:]]+(.*)$ && ${BASH_REMATCH[1]} != "$__kt_hist" ]]; then
    c=${BASH_REMATCH[2]}
  else
    c=
  fi
  printf '\e]633;E;%s;%s\a\e]633;C\a' "$(__kt_escape "$c")" "$__kt_nonce"
}
__kt_prompt() {
  local s=$?
  if [[ -n $__kt_ran ]]; then printf '\e]633;D;%s;%s\a' "$s" "$__kt_nonce"; fi
  __kt_ran=
  __kt_hist=$(__kt_histnum)
  # The user's PROMPT_COMMAND and PS1 still see the command's status.
  return $s
}
PROMPT_COMMAND="__kt_prompt${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
# The subscript's assignment runs in this shell (the $(...) after it in a subshell): it tells
# PROMPT_COMMAND that a command ran, so an empty line reports no status.
PS0='${__kt_none[__kt_ran=1]:-}$(__kt_preexec)'"${PS0-}"
# Where history stands now: the first command is named only if it advances it.
__kt_hist=$(__kt_histnum)
