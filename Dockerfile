# syntax=docker/dockerfile:1
#
# Pilot's self-hosted runner image for long jobs (`runners.long`), standalone or under Actions
# Runner Controller (ARC). See docs/self-hosted.md.
#
# EPHEMERAL (JIT) RUNNERS ONLY. A persistent runner keeps its credentials (.runner, .credentials,
# .credentials_rsaparams) in /home/runner, readable by every job it runs, and carries one job's
# leftovers into the next. Register with a JIT config (`run.sh --jitconfig`), `config.sh
# --ephemeral`, or ARC (whose runners are always ephemeral).
#
# Versions are build args. RUNNER_VERSION and RUNNER_DIGEST move together: with both set the
# registry resolves the digest, so bumping the tag alone would silently keep the old image.
# CLAUDE_CODE_VERSION must equal the action's `claude-code-version` default (action.yml): the
# action then finds `claude` on PATH and skips its own install. test/image/dockerfile.test.ts
# checks both.

ARG RUNNER_VERSION=2.338.0
ARG RUNNER_DIGEST=sha256:4ffadc0002b2581327e06101fc8c06cd189232baf79fe561fac9caeb76f5e807
ARG NODE_VERSION=24.18.1
ARG GH_VERSION=2.100.0
ARG CLAUDE_CODE_VERSION=2.1.331

# --- tools: Node.js, gh and Claude Code, each download checksum-verified, under /opt/pilot ---
FROM ghcr.io/actions/actions-runner:${RUNNER_VERSION}@${RUNNER_DIGEST} AS tools
ARG TARGETARCH
ARG NODE_VERSION
ARG GH_VERSION
ARG CLAUDE_CODE_VERSION
USER root
COPY --chmod=0755 docker/install-tools.sh /tmp/install-tools.sh
RUN PREFIX=/opt/pilot \
    TARGETARCH="${TARGETARCH}" \
    NODE_VERSION="${NODE_VERSION}" \
    GH_VERSION="${GH_VERSION}" \
    CLAUDE_CODE_VERSION="${CLAUDE_CODE_VERSION}" \
    /tmp/install-tools.sh

# --- runner: the official image plus the tools, the agent user and a narrowed sudo ---
FROM ghcr.io/actions/actions-runner:${RUNNER_VERSION}@${RUNNER_DIGEST} AS runner
ARG RUNNER_VERSION
ARG CLAUDE_CODE_VERSION
ARG VERSION=dev
ARG REVISION=unknown
ARG SOURCE=https://github.com/OWNER/pilot

LABEL org.opencontainers.image.title="pilot-runner" \
      org.opencontainers.image.description="GitHub Actions runner for Pilot's long jobs: Node.js 24, git, gh, the pinned Claude Code CLI and an unprivileged agent user. Use as an ephemeral (JIT) runner only." \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="ghcr.io/actions/actions-runner:${RUNNER_VERSION}" \
      dev.pilot.claude-code-version="${CLAUDE_CODE_VERSION}"

USER root

# git for Pilot; acl so the runner can lend the workspace to the agent user (setfacl) without
# root; bubblewrap and socat for Claude Code's Bash sandbox on Linux.
RUN apt-get update \
    && apt-get install -y --no-install-recommends acl bubblewrap ca-certificates git socat \
    && rm -rf /var/lib/apt/lists/*

COPY --from=tools /opt/pilot/ /usr/local/

COPY --chmod=0755 docker/setup-users.sh /tmp/setup-users.sh
RUN /tmp/setup-users.sh && rm -f /tmp/setup-users.sh

# The CLI must stay at the pinned version: the action checks it, and an auto-update would
# write into /usr/local as whoever runs it.
ENV DISABLE_AUTOUPDATER=1 \
    PILOT_AGENT_USER=pilot-agent

WORKDIR /home/runner
USER runner
