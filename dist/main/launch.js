// Which bundle the main step loads. The gate runs on every matching event (every comment, every
// label), so it must start fast: its bundle leaves out what only trusted runs use (the Actions cache
// SDK, the agent, the model gateway). Kept free of imports but constants, so that the launcher that
// uses it is a few kilobytes.
import { TRUSTED_EVENTS } from './constants.js';
/**
 * Untrusted events can only reach the gate (src/pipeline/run.ts skips any other phase for them);
 * trusted events and the explicit route/run phases need the whole pipeline.
 */
export function bundleFor(env) {
    const phase = (env.INPUT_PHASE ?? '').trim().toLowerCase();
    // Ops mode runs commands and pushes metrics: never part of the gate's small bundle.
    if (phase === 'route' || phase === 'run' || phase === 'ops')
        return 'work';
    return TRUSTED_EVENTS.has(env.GITHUB_EVENT_NAME ?? '') ? 'work' : 'gate';
}
/** The step's first log line: which event arrived and which part of Pilot handles it. */
export function launchLine(env, bundle) {
    const event = env.GITHUB_EVENT_NAME || 'unknown';
    const part = bundle === 'gate' ? 'the gate (authorize, acknowledge, dispatch)' : 'the work pipeline';
    return `Pilot: ${event} event → ${part}`;
}
