/**
 * A JSON Schema validator for the keywords docs/descriptors.schema.json uses (type, const, required,
 * properties, additionalProperties, items, minItems, maxItems, minLength, maxLength, pattern), so the
 * tests can hold the built-in files and serialised output to the published schema without a new
 * dependency. It throws on any keyword it does not know, so the schema cannot outgrow it silently.
 */
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description']);
const KNOWN = new Set(['type', 'const', 'required', 'properties', 'additionalProperties', 'items', 'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern']);

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** The problems of `value` under `schema`, as "path: what" lines; empty when it is valid. */
export function schemaErrors(schema: Schema, value: unknown, path = '$'): string[] {
  for (const key of Object.keys(schema)) if (!ANNOTATIONS.has(key) && !KNOWN.has(key)) throw new Error(`json-schema-subset: unsupported keyword ${key} at ${path}`);
  const errors: string[] = [];
  const type = schema.type as string | undefined;
  if (type !== undefined && typeOf(value) !== type && !(type === 'number' && typeOf(value) === 'integer')) return [`${path}: is ${typeOf(value)}, not ${type}`];
  if ('const' in schema && value !== schema.const) errors.push(`${path}: is not ${JSON.stringify(schema.const)}`);
  if (typeof value === 'string') {
    const length = Array.from(value).length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) errors.push(`${path}: longer than ${schema.maxLength}`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${path}: does not match ${schema.pattern}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) errors.push(`${path}: more than ${schema.maxItems} items`);
    if (schema.items) value.forEach((item, i) => errors.push(...schemaErrors(schema.items as Schema, item, `${path}[${i}]`)));
  }
  if (typeOf(value) === 'object') {
    const record = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in record)) errors.push(`${path}: lacks ${key}`);
    for (const [key, v] of Object.entries(record)) {
      if (properties[key]) errors.push(...schemaErrors(properties[key], v, `${path}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: has unknown ${key}`);
    }
  }
  return errors;
}
