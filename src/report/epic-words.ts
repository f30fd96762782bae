// What an epic's tracking comment says (docs/epics.md): its plan as a checklist, and why a plan was
// refused. Titles and bodies are the planning agent's words, shaped by the epic's text: neutralised
// like any agent text before Pilot publishes them, and never at the start of a line as a command.
import { COMMAND_PREFIX } from '../constants.js';
import { neutraliseAgentText } from '../security/outgoing.js';
import type { EpicDoc } from '../state/task.js';
import type { TrackingView } from './comment.js';

/** One line of agent text: no line breaks, neutralised, bounded. */
function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return neutraliseAgentText(flat.length > max ? `${flat.slice(0, max - 1)}…` : flat);
}

function afterOf(dependsOn: number[]): string {
  return dependsOn.length ? `after ${dependsOn.map((d) => d + 1).join(', ')}` : 'can start at once';
}

/** The plan as a checklist: one line per sub-task (its issue once created), what it waits for. */
export function epicChecklist(epic: EpicDoc): string {
  return epic.tasks
    .map((t, i) => {
      const name = t.issue ? `#${t.issue} ` : `${i + 1}. `;
      return `- [ ] ${name}**${oneLine(t.title, 200)}** (${oneLine(t.size, 20)}; ${afterOf(t.dependsOn)})`;
    })
    .join('\n');
}

/** The epic's tracking comment once its plan is posted, waiting for a maintainer's approval. */
export function planView(epic: EpicDoc, links: Array<[string, string]>): TrackingView {
  const n = epic.tasks.length;
  return {
    headline: `epic plan: ${n} sub-task${n === 1 ? '' : 's'}, waiting for approval`,
    body: [
      epicChecklist(epic),
      '',
      `A maintainer approves this plan with \`${COMMAND_PREFIX} approve\`: Pilot then creates the sub-issues and starts them in dependency order.`,
      `To change it, edit the epic and comment \`${COMMAND_PREFIX} plan --split\` again.`,
    ].join('\n'),
    links,
  };
}

/** The epic's tracking comment when the plan is refused: what was wrong and what to do. */
export function refusedView(problem: string, links: Array<[string, string]>): TrackingView {
  return {
    headline: 'epic plan refused',
    body: [
      `Pilot refused the plan: ${oneLine(problem, 500)}. Nothing was created.`,
      '',
      `Make the epic's sub-tasks and their order clearer, then comment \`${COMMAND_PREFIX} plan --split\` again.`,
    ].join('\n'),
    links,
  };
}
