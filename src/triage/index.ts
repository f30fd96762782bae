// Triage: how big is this issue, and what room and runner does that buy.
export { classify, levelFromLabels } from './classify.js';
export { type Classification, LEVELS, type Level, type Signals, type TriageInput } from './levels.js';
export {
  chooseRunner,
  DEFAULT_ROUTES,
  JOB_TIMEOUT_MARGIN_MINUTES,
  jobTimeoutMinutes,
  type Route,
  type RouteTable,
  type RunnerChoice,
  type RunnerKind,
  type Runners,
  resolveRunner,
  routeFor,
} from './room.js';
