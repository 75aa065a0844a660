import {
  FIELDS,
  FieldSpec,
  ImportKind,
  INVOICE_LINE_FIELDS,
  MAX_INVOICE_LINES,
  MAX_ROWS_PER_REQUEST,
  VAT_SUMMARY_FIELDS,
} from './import-kinds';

type Schema = Record<string, unknown>;

/** One field in JSON Schema, from the same spec the row check uses (so the document cannot drift from the rules). */
function fieldSchema(spec: FieldSpec): Schema {
  const nullable = spec.required ? {} : { nullable: true };
  switch (spec.type) {
    case 'text':
    case 'ref':
      return {
        type: 'string',
        ...(spec.pattern ? { pattern: spec.pattern.source } : { minLength: spec.min, maxLength: spec.max }),
        ...(spec.type === 'ref' ? { description: "The back office's own id" } : {}),
        ...nullable,
      };
    case 'enum':
      return {
        type: 'string',
        enum: [...(spec.values ?? [])],
        ...(spec.fallback === undefined ? {} : { default: spec.fallback }),
        ...nullable,
      };
    case 'date':
      return { type: 'string', format: 'date', ...nullable };
    case 'bool':
      return { type: 'boolean', ...(spec.fallback === undefined ? {} : { default: spec.fallback }), ...nullable };
    case 'int':
      return {
        type: 'integer',
        minimum: spec.min,
        maximum: spec.max,
        ...(spec.fallback === undefined ? {} : { default: spec.fallback }),
        ...nullable,
      };
    case 'decimal':
      return {
        oneOf: [
          { type: 'number', ...nullable },
          { type: 'string', pattern: '^-?\\d{1,12}(\\.\\d+)?$', ...nullable },
        ],
        description: `At most ${spec.scale ?? 0} decimal places`,
      };
  }
}

function objectSchema(specs: readonly FieldSpec[], extra: Record<string, Schema> = {}, required: string[] = []): Schema {
  return {
    type: 'object',
    additionalProperties: false,
    required: [...specs.filter((spec) => spec.required).map((spec) => spec.key), ...required],
    properties: { ...Object.fromEntries(specs.map((spec) => [spec.key, fieldSchema(spec)])), ...extra },
  };
}

/** The JSON Schema of one kind's row. */
export function rowSchema(kind: ImportKind): Schema {
  if (kind !== 'invoices') return objectSchema(FIELDS[kind]);
  return objectSchema(
    FIELDS[kind],
    {
      lines: { type: 'array', minItems: 1, maxItems: MAX_INVOICE_LINES, items: objectSchema(INVOICE_LINE_FIELDS) },
      vatSummary: {
        type: 'array',
        items: objectSchema(VAT_SUMMARY_FIELDS),
        nullable: true,
        description: 'One row per VAT rate; without it the portal adds the lines up per rate',
      },
      pdf: {
        type: 'string',
        format: 'byte',
        nullable: true,
        description: "The back office's own PDF of the invoice (base64, at most 5 MiB): the portal then serves it instead of its rendering",
      },
    },
    ['lines'],
  );
}

/** The request body of one kind's import. */
export function importBodySchema(kind: ImportKind): Schema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['rows'],
    properties: { rows: { type: 'array', maxItems: MAX_ROWS_PER_REQUEST, items: rowSchema(kind) } },
  };
}
