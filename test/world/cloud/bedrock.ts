// A local Amazon Bedrock runtime for the gateway's tests: it checks each request's SigV4 signature
// (sigv4.ts, independent of the gateway's signing library), refuses what Bedrock refuses (a `model`
// in the body, a missing `anthropic_version`), asks the scripted Messages API for the answer and
// streams it back in Bedrock's framing: `application/vnd.amazon.eventstream` messages whose `chunk`
// payload is `{"bytes": base64(<event JSON>)}`.
import type http from 'node:http';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { type Arrived, listen, scripted, sendJson } from './front.js';
import { type AwsTestKeys, sigV4Refusal } from './sigv4.js';

export interface BedrockOptions {
  /** The scripted Messages API (startModel) that writes the answers. */
  modelUrl: string;
  keys: AwsTestKeys;
  region: string;
  /** Answer every request as AWS does once the session token expired. */
  expired?: boolean;
}

export interface BedrockRequest extends Arrived {
  modelId: string;
  json: Record<string, unknown>;
}

export interface BedrockServer {
  url: string;
  /** Requests whose signature verified. */
  accepted: BedrockRequest[];
  /** Why each refused request was refused. */
  refused: string[];
  close(): Promise<void>;
}

const INVOKE = /^\/model\/([^/?]+)\/(invoke|invoke-with-response-stream)$/;

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
);

function chunkFrame(event: unknown): Uint8Array {
  const bytes = Buffer.from(JSON.stringify(event)).toString('base64');
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: 'chunk' },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: new Uint8Array(Buffer.from(JSON.stringify({ bytes, p: 'abcdefgh' }))),
  });
}

function awsError(res: http.ServerResponse, status: number, type: string, message: string): void {
  sendJson(
    res,
    status,
    { message },
    { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
  );
}

export async function startBedrock(opts: BedrockOptions): Promise<BedrockServer> {
  const accepted: BedrockRequest[] = [];
  const refused: string[] = [];

  async function answer(req: Arrived, res: http.ServerResponse): Promise<void> {
    const match = INVOKE.exec(req.rawPath);
    if (req.method !== 'POST' || !match)
      return awsError(res, 404, 'UnknownOperationException', 'no such route');
    const why = sigV4Refusal(req, { keys: opts.keys, region: opts.region, service: 'bedrock' });
    if (why) {
      refused.push(why);
      return awsError(
        res,
        403,
        'InvalidSignatureException',
        `The request signature we calculated does not match: ${why}`,
      );
    }
    if (opts.expired) {
      refused.push('expired');
      return awsError(
        res,
        403,
        'ExpiredTokenException',
        'The security token included in the request is expired',
      );
    }
    const json = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
    const modelId = decodeURIComponent(match[1]);
    accepted.push({ ...req, modelId, json });
    if ('model' in json || json.anthropic_version !== 'bedrock-2023-05-31')
      return awsError(res, 400, 'ValidationException', 'extraneous key [model] or missing anthropic_version');
    const { anthropic_beta, anthropic_version: _, ...body } = json;
    const beta = Array.isArray(anthropic_beta) ? anthropic_beta.join(',') : undefined;
    const upstream = await scripted(opts.modelUrl, { ...body, model: modelId }, beta);
    if (upstream.status !== 200) return awsError(res, upstream.status, 'ValidationException', upstream.text);
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
    for (const event of upstream.events) res.write(chunkFrame(event.data));
    res.end();
  }

  const server = await listen(answer);
  return { url: server.url, accepted, refused, close: server.close };
}
