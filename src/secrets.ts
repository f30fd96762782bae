// The secret values Pilot holds, registered once: masked in the runner's log and remembered so
// src/security/redact.ts can take them out of everything Pilot publishes. A leaf (layer 1), so the
// config reader can register a secret input the moment it reads it.
import * as core from '@actions/core';

const known = new Set<string>();

/** Shorter values would mangle ordinary text if replaced everywhere; the runner still masks them. */
const MIN_REDACTED = 6;
/** A line of a multi-line secret shorter than this (`-----END…`, blank) is not worth masking alone. */
const MIN_LINE = 8;

/**
 * Masks a secret in every later log line and remembers it (and its `x-access-token` basic-auth form)
 * for redaction. The runner masks multi-line values line by line only when each line is registered,
 * so a PEM key is registered whole and per line.
 */
export function registerSecret(value: string | undefined): void {
  if (!value) return;
  core.setSecret(value);
  if (value.length < MIN_REDACTED) return;
  const lines = value.includes('\n')
    ? value
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line.length >= MIN_LINE)
    : [];
  for (const form of [value, Buffer.from(`x-access-token:${value}`).toString('base64'), ...lines]) {
    known.add(form);
    core.setSecret(form);
  }
}

/** Every secret value Pilot holds (and the encoded forms it registered), for the outgoing scan. */
export function knownSecrets(): string[] {
  return [...known];
}

/** For tests: forget registered secrets. */
export function resetSecrets(): void {
  known.clear();
}
