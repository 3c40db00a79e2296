# Kube Troubleshoot's shell integration (POSIX sh), run before the shell picker or the production
# wrapper with KT_NONCE (this session's) and KT_BASH_RC (bash-integration.bash) set.
# kt_integrate NAME PROMPT exports what makes the shell NAME mark its commands in its output:
# bash evaluates KT_BASH_RC at its first prompt, once the user's rc files ran; any other sh gets a
# PS1 that reports the last status (D), where the prompt starts (A) and where it ends (B), around
# PROMPT ('$ ' or '# '). Each mark carries the nonce, so output replayed from a file cannot forge one.
kt_integrate() {
  [ -n "${KT_NONCE:-}" ] || return 0
  case $1 in
    bash)
      PROMPT_COMMAND='eval "$KT_BASH_RC"'
      export KT_NONCE KT_BASH_RC PROMPT_COMMAND
      ;;
    *)
      kt_esc=$(printf '\033')
      kt_bel=$(printf '\007')
      PS1="$kt_esc]633;D;\$?;$KT_NONCE$kt_bel$kt_esc]633;A;$KT_NONCE$kt_bel$2$kt_esc]633;B;$KT_NONCE$kt_bel"
      export PS1
      unset KT_NONCE KT_BASH_RC kt_esc kt_bel
      ;;
  esac
}
