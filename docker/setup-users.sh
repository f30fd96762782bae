#!/usr/bin/env bash
# Builds the runner image's users and sudo rules:
#   - creates the agent's unprivileged user `pilot-agent` (uid/gid 1002, no login shell, no sudo,
#     home 0700), so Claude Code cannot read /proc/<pid>/environ of Pilot's process (the runner
#     user, uid 1001) nor RUNNER_TEMP, where checkout may leave the token;
#   - undoes the base image's blanket passwordless sudo: ghcr.io/actions/actions-runner replaces
#     /etc/sudoers with a rule giving the sudo group every command without a password, and puts
#     `runner` in that group
#     (https://github.com/actions/runner/blob/main/images/Dockerfile); some derived images add
#     /etc/sudoers.d/runner. A job (and so the agent) could otherwise become root;
#   - installs the single rule Pilot needs: runner may start commands as pilot-agent, nothing else.
#
# ROOT (default /) is the filesystem root to edit, so tests can run the script against a copy of
# the base image's /etc. Files are edited as text (no useradd) so both paths run the same code.
set -euo pipefail

ROOT="${ROOT:-/}"
ROOT="${ROOT%/}"
RUNNER_USER="${RUNNER_USER:-runner}"
AGENT_USER="pilot-agent"
AGENT_UID=1002
AGENT_HOME="/home/${AGENT_USER}"
NOLOGIN_SHELL="/usr/sbin/nologin"
SUDO_GROUPS="sudo admin wheel"

log() { printf 'setup-users: %s\n' "$*"; }
die() {
  printf 'setup-users: error: %s\n' "$*" >&2
  exit 1
}

etc() { printf '%s/etc/%s' "$ROOT" "$1"; }

is_root() { [[ "$(id -u)" == 0 ]]; }

# Field N of the line for NAME in a colon-separated database (passwd, group).
field_of() {
  local file="$1" name="$2" n="$3"
  awk -F: -v u="$name" -v n="$n" '$1 == u { print $n; exit }' "$file"
}

name_with_id() {
  local file="$1" id="$2"
  awk -F: -v id="$id" '$3 == id { print $1; exit }' "$file"
}

# Rewrites FILE through an awk program while keeping its mode and owner (cat > keeps the inode).
rewrite() {
  local file="$1" program="$2" tmp
  shift 2
  tmp="$(mktemp)"
  awk "$@" "$program" "$file" >"$tmp"
  cat "$tmp" >"$file"
  rm -f "$tmp"
}

ensure_agent_group() {
  local group_file existing
  group_file="$(etc group)"
  existing="$(field_of "$group_file" "$AGENT_USER" 3)"
  if [[ -n "$existing" ]]; then
    [[ "$existing" == "$AGENT_UID" ]] || die "group $AGENT_USER exists with gid $existing, expected $AGENT_UID"
    return
  fi
  existing="$(name_with_id "$group_file" "$AGENT_UID")"
  [[ -z "$existing" ]] || die "gid $AGENT_UID is already taken by group $existing"
  printf '%s:x:%s:\n' "$AGENT_USER" "$AGENT_UID" >>"$group_file"
  [[ ! -f "$(etc gshadow)" ]] || printf '%s:!::\n' "$AGENT_USER" >>"$(etc gshadow)"
}

ensure_agent_user() {
  local passwd_file existing
  passwd_file="$(etc passwd)"
  existing="$(field_of "$passwd_file" "$AGENT_USER" 3)"
  if [[ -n "$existing" ]]; then
    [[ "$existing" == "$AGENT_UID" ]] || die "user $AGENT_USER exists with uid $existing, expected $AGENT_UID"
    log "user $AGENT_USER already exists"
    return
  fi
  existing="$(name_with_id "$passwd_file" "$AGENT_UID")"
  [[ -z "$existing" ]] || die "uid $AGENT_UID is already taken by user $existing"
  printf '%s:x:%s:%s:Pilot agent (unprivileged):%s:%s\n' \
    "$AGENT_USER" "$AGENT_UID" "$AGENT_UID" "$AGENT_HOME" "$NOLOGIN_SHELL" >>"$passwd_file"
  # `*` = no password can ever match: the account cannot log in, only be started by sudo.
  [[ ! -f "$(etc shadow)" ]] || printf '%s:*::0:99999:7:::\n' "$AGENT_USER" >>"$(etc shadow)"
  log "created user $AGENT_USER (uid $AGENT_UID, shell $NOLOGIN_SHELL)"
}

ensure_agent_home() {
  local home="${ROOT}${AGENT_HOME}"
  mkdir -p "$home"
  chmod 0700 "$home"
  if is_root; then
    chown "$AGENT_UID:$AGENT_UID" "$home"
  else
    log "not root: leaving $home owned by $(id -un)"
  fi
}

# Drops USER from the member list (4th field) of every sudo-granting group, in group and gshadow.
remove_from_sudo_groups() {
  local file
  for file in "$(etc group)" "$(etc gshadow)"; do
    [[ -f "$file" ]] || continue
    rewrite "$file" '
      BEGIN { FS = OFS = ":"; n = split(groups, g, " "); for (i = 1; i <= n; i++) admin[g[i]] = 1 }
      $1 in admin {
        m = split($4, members, ","); out = ""
        for (i = 1; i <= m; i++) if (members[i] != user && members[i] != "") out = out (out == "" ? "" : ",") members[i]
        $4 = out
      }
      { print }' -v groups="$SUDO_GROUPS" -v user="$RUNNER_USER"
  done
  log "removed $RUNNER_USER from the groups: $SUDO_GROUPS"
}

install_sudo_file() {
  local file="$1"
  chmod 0440 "$file"
  if is_root; then chown 0:0 "$file"; fi
  if command -v visudo >/dev/null 2>&1; then
    visudo -c -q -f "$file" || die "visudo rejected $file"
  fi
}

# A fresh /etc/sudoers replaces the base image's two lines; every drop-in is removed, because any
# of them may grant the runner more than starting the agent.
write_sudoers() {
  local sudoers dropins rule
  sudoers="$(etc sudoers)"
  dropins="$(etc sudoers.d)"
  mkdir -p "$dropins"
  cat >"$sudoers" <<'EOF'
# Pilot runner image: root only, plus the drop-ins (see /etc/sudoers.d/pilot-agent).
# The base image's passwordless sudo for the sudo group was removed on purpose: a job must not become root.
Defaults env_reset
Defaults secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
root ALL=(ALL:ALL) ALL
@includedir /etc/sudoers.d
EOF
  install_sudo_file "$sudoers"
  find "$dropins" -mindepth 1 -maxdepth 1 ! -name README -exec rm -rf {} +
  rule="$RUNNER_USER ALL=($AGENT_USER) NOPASSWD: ALL"
  printf '# Pilot starts Claude Code as %s; the runner may run commands as that user and no other.\n%s\n' \
    "$AGENT_USER" "$rule" >"$dropins/$AGENT_USER"
  install_sudo_file "$dropins/$AGENT_USER"
  log "sudo: only '$rule' remains"
}

main() {
  [[ -f "$(etc passwd)" ]] || die "$(etc passwd) not found (ROOT=$ROOT)"
  [[ -f "$(etc group)" ]] || die "$(etc group) not found (ROOT=$ROOT)"
  [[ -n "$(field_of "$(etc passwd)" "$RUNNER_USER" 1)" ]] || die "user $RUNNER_USER not found in $(etc passwd)"
  ensure_agent_group
  ensure_agent_user
  ensure_agent_home
  remove_from_sudo_groups
  write_sudoers
}

main "$@"
