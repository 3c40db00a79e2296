# Kube Troubleshoot's shell integration (POSIX sh), run before the shell picker or the production
# wrapper with KT_NONCE (this session's) and KT_BASH_RC (bash-integration.bash) set.
# kt_integrate SHELL PROMPT exports what makes SHELL (a name or a path) mark its commands in its
# output: bash evaluates KT_BASH_RC at its first prompt, once the user's rc files ran; any other sh
# gets a PS1 that reports the last status (D), where the prompt starts (A) and where it ends (B),
# around PROMPT ('$ ' or '# '); SHELL is also run once, to tell BusyBox's sh from the others. Each
# mark carries the nonce, so output replayed from a file cannot forge one.
kt_integrate() {
  [ -n "${KT_NONCE:-}" ] || return 0
  case ${1##*/} in
    bash)
      PROMPT_COMMAND='eval "$KT_BASH_RC"'
      export KT_NONCE KT_BASH_RC PROMPT_COMMAND
      ;;
    *)
      kt_esc=$(printf '\033')
      kt_bel=$(printf '\007')
      # BusyBox ash counts every byte of PS1 as a column unless it is inside \[ \]: unwrapped, the
      # marks would throw its line editing off. dash and the others print a prompt as it is.
      kt_open= kt_close=
      case $("$1" --help 2>&1 </dev/null) in
        *BusyBox*) kt_open='\[' kt_close='\]' ;;
      esac
      kt_mark() { printf '%s' "$kt_open$kt_esc]633;$1;$KT_NONCE$kt_bel$kt_close"; }
      PS1="$(kt_mark 'D;$?')$(kt_mark A)$2$(kt_mark B)"
      export PS1
      unset -f kt_mark
      unset KT_NONCE KT_BASH_RC kt_esc kt_bel kt_open kt_close
      ;;
  esac
}
