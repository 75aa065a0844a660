import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { onSendHookHandler } from 'fastify';
import { requestPath } from '../../src/web/http';

/** The parts of an OpenAPI 3.0 document the contract check reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, OpenApiResponse> }>>;
  components?: { schemas?: Record<string, unknown> };
}

interface OpenApiResponse {
  content?: Record<string, { schema?: unknown }>;
}

interface Route {
  template: string;
  pattern: RegExp;
  operations: Record<string, { responses?: Record<string, OpenApiResponse> }>;
}

const SCHEMA_REF = '#/components/schemas/';

/**
 * OpenAPI 3.0 schema → JSON Schema for Ajv: `nullable: true` becomes "or null" (also
 * around an `allOf` reference, which Ajv's own `nullable` does not cover), and component
 * references point at the schemas added to Ajv under their names.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const converted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    converted[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith(SCHEMA_REF) ? value.slice(SCHEMA_REF.length) : toJsonSchema(value);
  }
  return nullable === true ? { anyOf: [{ type: 'null' }, converted] } : converted;
}

/**
 * Checks HTTP answers against the OpenAPI document: the route and method are documented,
 * the status is listed, and a JSON body matches the status's schema (a status documented
 * without a body must have none, a binary one must have its content type).
 */
export class ResponseContract {
  private readonly routes: Route[];
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<unknown, ValidateFunction>();

  constructor(document: OpenApiDocument) {
    addFormats(this.ajv);
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
      this.ajv.addSchema(toJsonSchema(schema) as object, name);
    }
    // Literal paths before templated ones: /requests/bulk-approve is not /requests/{id}.
    this.routes = Object.entries(document.paths)
      .map(([template, operations]) => ({
        template,
        operations,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      }))
      .sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
  }

  /** What is wrong with this answer, or null when it keeps the contract. */
  violation(method: string, path: string, status: number, contentType: string | undefined, body: Buffer): string | null {
    const route = this.routes.find((candidate) => candidate.pattern.test(path));
    const operation = route?.operations[method.toLowerCase()];
    // Nest's 404 for a route that does not exist is the one undocumented answer allowed.
    if (!operation) return status === 404 ? null : `${method} ${path} is not in the OpenAPI document (answered ${status})`;
    const where = `${method} ${route.template} answered ${status}`;
    const responses = operation.responses ?? {};
    const documented = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    if (!documented) return `${where}, a status the document does not list (${Object.keys(responses).join(', ')})`;
    const content = documented.content ?? {};
    const schema = content['application/json']?.schema;
    if (!schema) {
      // A binary answer (a PDF): only its content type is checked.
      const types = Object.keys(content);
      if (types.length === 0) return body.length === 0 ? null : `${where} with a body, but the document gives this status none`;
      return types.some((type) => contentType?.startsWith(type))
        ? null
        : `${where} with ${contentType ?? 'no content type'}, not ${types.join(' or ')}`;
    }
    if (!contentType?.startsWith('application/json')) return `${where} with ${contentType ?? 'no content type'}, not JSON`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return `${where} with a body that is not JSON`;
    }
    const validate = this.validator(schema);
    if (validate(parsed)) return null;
    const problems = (validate.errors ?? []).map((error) => `${error.instancePath || '(body)'} ${error.message ?? ''}`.trim());
    return `${where} with a body that does not match its schema: ${problems.join('; ')}`;
  }

  private validator(schema: unknown): ValidateFunction {
    let validate = this.validators.get(schema);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema) as object);
      this.validators.set(schema, validate);
    }
    return validate;
  }
}

/** Only the JSON API is under contract (not the pages, the health checks or the docs themselves). */
const UNDER_CONTRACT = /^\/api\/(?!docs(\/|$))/;

/**
 * A Fastify onSend hook that checks every /api answer against the document before it is
 * sent. A violation is recorded and replaces the answer with a 500 that names it, so the
 * test that made the call fails at once, and `violations` lets the harness fail the file.
 * It calls back at once (no promise), so a reply counts as sent as soon as it is sent.
 */
export function contractCheck(contract: ResponseContract, violations: string[]): onSendHookHandler {
  return (req, reply, payload, done) => {
    const path = requestPath(req);
    if (!UNDER_CONTRACT.test(path)) return done(null, payload);
    const body =
      typeof payload === 'string' ? Buffer.from(payload) : Buffer.isBuffer(payload) ? payload : payload == null ? Buffer.alloc(0) : null;
    if (body === null) return done(null, payload);
    const contentType = reply.getHeader('content-type');
    const problem = contract.violation(req.method, path, reply.statusCode, contentType?.toString(), body);
    if (!problem) return done(null, payload);
    violations.push(problem);
    reply.code(500).header('content-type', 'application/json; charset=utf-8').removeHeader('etag');
    done(null, JSON.stringify({ statusCode: 500, error: 'OpenAPI contract violation', message: problem }));
  };
}
