// Pinning an issue to the repository's issue list. There is no REST route for it: GitHub's GraphQL
// mutation `pinIssue(input: PinIssueInput!)` takes the issue's node id (`issueId: ID!`) and returns a
// `PinIssuePayload` (`issue`, `clientMutationId`). A repository pins at most three issues, and a
// token may lack the permission: either is a reason, never an error for the caller.
// https://docs.github.com/en/graphql/reference/mutations#pinissue
import { messageOf } from '../errors.js';
import type { Octokit } from './client.js';

export const PIN_ISSUE_MUTATION = `mutation PilotPinIssue($issueId: ID!) {
  pinIssue(input: {issueId: $issueId}) {
    issue { number }
  }
}`;

export type PinResult = { pinned: true } | { pinned: false; reason: string };

export async function pinIssue(octokit: Octokit, issueNodeId: string): Promise<PinResult> {
  try {
    await octokit.graphql(PIN_ISSUE_MUTATION, { issueId: issueNodeId });
    return { pinned: true };
  } catch (error) {
    return { pinned: false, reason: messageOf(error) };
  }
}
