// Error annotations that point at the file and line they are about, so the run's page shows them on
// the user's `.github/pilot.yml` or on the file the agent was not allowed to push.
import * as core from '@actions/core';
import { ConfigError } from '../config/errors.js';
import { PushRefused } from '../security/outgoing.js';

/** Annotates each problem of a configuration or push refusal; other errors are left to setFailed. */
export function annotateFailure(error: unknown): void {
  if (error instanceof ConfigError) annotateConfig(error);
  else if (error instanceof PushRefused) annotateRefusal(error);
}

function annotateConfig(error: ConfigError): void {
  for (const problem of error.problems) {
    if (!problem.file) continue;
    core.error(problem.message, {
      title: 'Pilot configuration',
      file: problem.file,
      ...(problem.line !== undefined && { startLine: problem.line }),
    });
  }
}

function annotateRefusal(error: PushRefused): void {
  for (const path of error.paths) {
    core.error(
      `The agent changed the protected path ${path}; Pilot did not push. Make this change yourself, or allow it with a '!' entry in protected-paths.`,
      { title: 'Pilot refused the push', file: path },
    );
  }
  for (const finding of error.secrets) {
    // The value is never shown: the kind and the place are enough to find it.
    core.error(`Possible secret (${finding.kind}) in the agent's change; Pilot did not push.`, {
      title: 'Pilot refused the push',
      file: finding.file,
      startLine: finding.line,
    });
  }
}
