// GitHub's OpenAPI description (npm @octokit/openapi) as a validator for the emulator's responses.
// The description is OpenAPI 3.0: `nullable` becomes a JSON-Schema `null` alternative and
// `#/components/...` references point into one registered root document, so ajv can resolve them.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Schema = Record<string, unknown>;

interface Operation {
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: Schema }> }>;
}

export interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Operation['responses'][string]> };
}

const ROOT_ID = 'github-openapi';

/** Reads `api.github.com.json` (the non-dereferenced variant: 13 MB instead of 73 MB). */
export function loadSpec(): OpenApi {
  const require = createRequire(import.meta.url);
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  return JSON.parse(readFileSync(file, 'utf8')) as OpenApi;
}

/** OpenAPI 3.0 → JSON Schema: `nullable`, and references rebased onto the registered root. */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const { nullable, example: _example, examples: _examples, ...rest } = node as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(rest)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${ROOT_ID}${v}` : toJsonSchema(v);
  }
  if (nullable !== true) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  const combined = out.anyOf ?? out.oneOf ?? out.allOf ?? out.$ref;
  if (combined === undefined) return out; // `nullable` on an untyped schema allows anything already
  return { anyOf: [out, { type: 'null' }] };
}

export class ResponseValidator {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(readonly spec: OpenApi) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void;
    addFormats(this.ajv);
    this.ajv.addFormat('int64', true);
    this.ajv.addSchema({ $id: ROOT_ID, components: toJsonSchema(spec.components) } as Schema);
  }

  /** True when the description has this method on this path template. */
  hasOperation(method: string, path: string): boolean {
    return this.spec.paths[path]?.[method.toLowerCase()] !== undefined;
  }

  /** The JSON schema of a response, `null` when the status has no JSON body, undefined when not described. */
  responseSchema(method: string, path: string, status: number): Schema | null | undefined {
    const op = this.spec.paths[path]?.[method.toLowerCase()];
    let response = op?.responses[String(status)];
    if (response?.$ref) response = this.spec.components.responses[response.$ref.split('/').pop() as string];
    if (!response) return undefined;
    return response.content?.['application/json']?.schema ?? null;
  }

  /** Validation errors of `body` for that response (empty when valid). */
  validate(method: string, path: string, status: number, body: unknown): string[] {
    const schema = this.responseSchema(method, path, status);
    if (schema === undefined) return [`${method} ${path}: status ${status} is not described`];
    // Described without a schema: GitHub still sends error bodies there; only 204 must be empty.
    if (schema === null)
      return status !== 204 || body === undefined || body === ''
        ? []
        : [`${method} ${path} 204: unexpected body`];
    const key = `${method} ${path} ${status}`;
    let validate = this.cache.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema) as Schema);
      this.cache.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) => `${key}: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
    );
  }
}
