#!/usr/bin/env bash
# Installs the tools Pilot's runner image adds to the official Actions runner image:
# Node.js, the GitHub CLI and the pinned Claude Code CLI, all under one PREFIX.
#
# Every download is checked against the checksum file its publisher ships next to it
# (Node's SHASUMS256.txt, gh's gh_<v>_checksums.txt) with `sha256sum -c` before anything is
# unpacked; Claude Code comes from npm, which checks the tarball against the registry's
# integrity hash. Nothing is installed when a check fails.
#
# Environment (all optional except the versions):
#   PREFIX               install root (default /usr/local); gets bin/ lib/ include/ share/
#   NODE_VERSION         e.g. 24.18.1 (required)
#   GH_VERSION           e.g. 2.100.0 (required)
#   CLAUDE_CODE_VERSION  e.g. 2.1.331 (required unless SKIP_CLAUDE_CODE=1)
#   TARGETARCH           amd64 | arm64 (docker buildx sets it; default: this machine's)
#   NODE_DIST_URL        default https://nodejs.org/dist
#   GH_DIST_URL          default https://github.com/cli/cli/releases/download
#   CLAUDE_CODE_PACKAGE  npm spec to install (default @anthropic-ai/claude-code@$CLAUDE_CODE_VERSION);
#                        tests point it at a local `npm pack` tarball
#   SKIP_CLAUDE_CODE     1 = install Node and gh only
# The *_DIST_URL overrides exist so the script can be tested offline against a loopback server.
set -euo pipefail

PREFIX="${PREFIX:-/usr/local}"
NODE_DIST_URL="${NODE_DIST_URL:-https://nodejs.org/dist}"
GH_DIST_URL="${GH_DIST_URL:-https://github.com/cli/cli/releases/download}"
SKIP_CLAUDE_CODE="${SKIP_CLAUDE_CODE:-0}"

log() { printf 'install-tools: %s\n' "$*"; }
die() {
  printf 'install-tools: error: %s\n' "$*" >&2
  exit 1
}

require_env() {
  local name
  for name in "$@"; do
    [[ -n "${!name:-}" ]] || die "$name must be set (a concrete version, e.g. from the Dockerfile's ARG)"
  done
}

# Docker's TARGETARCH names (amd64, arm64) when building multi-arch; otherwise this machine's.
detect_arch() {
  local arch="${TARGETARCH:-}"
  if [[ -z "$arch" ]]; then
    case "$(uname -m)" in
      x86_64 | amd64) arch=amd64 ;;
      aarch64 | arm64) arch=arm64 ;;
      *) die "unsupported machine architecture: $(uname -m)" ;;
    esac
  fi
  case "$arch" in
    amd64 | arm64) printf '%s' "$arch" ;;
    *) die "unsupported TARGETARCH '$arch' (expected amd64 or arm64)" ;;
  esac
}

# Redirects must stay on https; the first URL is whatever the caller configured.
download() {
  local url="$1" dest="$2"
  log "downloading $url"
  curl --fail --silent --show-error --location --proto-redir '=https' --retry 3 \
    --output "$dest" "$url" || die "download failed: $url"
}

# Checks FILE (in DIR) against its line in the publisher's checksum list, with sha256sum -c.
verify_checksum() {
  local dir="$1" file="$2" sums="$3" line
  line="$(awk -v f="$file" '$2 == f || $2 == "*" f { print $1 "  " f; exit }' "$dir/$sums")"
  [[ -n "$line" ]] || die "no checksum for $file in $sums: refusing to install it"
  if ! (cd "$dir" && printf '%s\n' "$line" | sha256sum --check --strict --quiet -); then
    die "checksum mismatch for $file (expected ${line%% *} from $sums): refusing to install it"
  fi
  log "checksum ok: $file"
}

# Downloads FILE and the checksum list SUMS from BASE into WORK and verifies FILE.
fetch_verified() {
  local base="$1" file="$2" sums="$3" work="$4"
  download "$base/$sums" "$work/$sums"
  download "$base/$file" "$work/$file"
  verify_checksum "$work" "$file" "$sums"
}

install_node() {
  local work="$1" arch="$2" node_arch file dir
  node_arch="$([[ "$arch" == amd64 ]] && echo x64 || echo arm64)"
  dir="node-v${NODE_VERSION}-linux-${node_arch}"
  file="${dir}.tar.gz"
  fetch_verified "${NODE_DIST_URL}/v${NODE_VERSION}" "$file" SHASUMS256.txt "$work"
  tar -xzf "$work/$file" -C "$work" --no-same-owner
  mkdir -p "$PREFIX"
  local part
  for part in bin include lib share; do
    if [[ -d "$work/$dir/$part" ]]; then
      mkdir -p "$PREFIX/$part"
      cp -R "$work/$dir/$part/." "$PREFIX/$part/"
    fi
  done
  [[ -x "$PREFIX/bin/node" ]] || die "the Node.js archive $file has no bin/node"
  log "node $("$PREFIX/bin/node" --version) installed in $PREFIX"
}

install_gh() {
  local work="$1" arch="$2" dir file
  dir="gh_${GH_VERSION}_linux_${arch}"
  file="${dir}.tar.gz"
  fetch_verified "${GH_DIST_URL}/v${GH_VERSION}" "$file" "gh_${GH_VERSION}_checksums.txt" "$work"
  tar -xzf "$work/$file" -C "$work" --no-same-owner
  [[ -f "$work/$dir/bin/gh" ]] || die "the gh archive $file has no bin/gh"
  install -D -m 0755 "$work/$dir/bin/gh" "$PREFIX/bin/gh"
  log "gh installed in $PREFIX/bin"
}

# npm checks the package against the registry's integrity hash; the postinstall step links the
# platform's native binary into place, so scripts must run.
install_claude_code() {
  local work="$1" spec version
  spec="${CLAUDE_CODE_PACKAGE:-@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}}"
  log "installing $spec with npm"
  PATH="$PREFIX/bin:$PATH" npm_config_cache="$work/npm-cache" npm_config_update_notifier=false \
    "$PREFIX/bin/npm" install --global --prefix "$PREFIX" --no-audit --no-fund "$spec" ||
    die "npm could not install $spec"
  [[ -x "$PREFIX/bin/claude" ]] || die "npm installed $spec but $PREFIX/bin/claude is missing"
  # The action skips its own install only when the version on PATH is the pinned one.
  version="$(PATH="$PREFIX/bin:$PATH" "$PREFIX/bin/claude" --version)"
  [[ "$version" == "${CLAUDE_CODE_VERSION}"* ]] ||
    die "claude --version says '$version', expected $CLAUDE_CODE_VERSION"
  log "claude $version installed in $PREFIX/bin"
}

main() {
  require_env NODE_VERSION GH_VERSION
  [[ "$SKIP_CLAUDE_CODE" == 1 ]] || require_env CLAUDE_CODE_VERSION
  local arch work
  arch="$(detect_arch)"
  work="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: the trap must remove this very directory
  trap "rm -rf '$work'" EXIT
  install_node "$work" "$arch"
  install_gh "$work" "$arch"
  if [[ "$SKIP_CLAUDE_CODE" == 1 ]]; then
    log "SKIP_CLAUDE_CODE=1: not installing Claude Code"
  else
    install_claude_code "$work"
  fi
}

main "$@"
