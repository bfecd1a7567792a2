// The domain as the server describes it: `gen/schema.js` is generated from schemas/ by
// `python -m schemas.export` (make pwa). Labels, code lists, field specs, entity rules and
// the error catalogue's templates all come from there; nothing is copied by hand.
import { SCHEMA } from "./gen/schema.js";

export { SCHEMA };

/** A code list of schemas/enums.py by name: [[code, Danish label], ...]. */
export function list(name) {
  const pairs = SCHEMA.lists[name];
  if (!pairs) throw new Error(`unknown code list ${name}`);
  return pairs;
}

/** An entity's spec: label, append_only, op_kinds, parent, owner, link, id_rule, fields. */
export function entity(name) {
  const spec = SCHEMA.entities[name];
  if (!spec) throw new Error(`unknown entity ${name}`);
  return spec;
}

/** A field's spec: label, kind, merge and, where set, required, max_length, ge, le, pattern, options … */
export function field(entityName, name) {
  const spec = entity(entityName).fields[name];
  if (!spec) throw new Error(`unknown field ${entityName}.${name}`);
  return spec;
}

/** The Danish label of a field, or its name when the schema does not know it. */
export const fieldLabel = (entityName, name) => SCHEMA.entities[entityName]?.fields[name]?.label ?? name;

/** The options of a code field ([] when it has none). */
export const options = (entityName, name) => field(entityName, name).options || [];

/** Names of an entity's fields whose spec passes `test`, in schema order. */
export function fieldsWhere(entityName, test) {
  return Object.entries(entity(entityName).fields)
    .filter(([, spec]) => test(spec))
    .map(([name]) => name);
}

// A detail is shown as the server shows it (schemas/problems.py `_detail`): lists sorted, joined.
const detail = (value) => (Array.isArray(value) ? value.map(String).sort().join(", ") : String(value));

/**
 * A message of the error catalogue, rendered like Python's str.format: `{name}` is
 * replaced by `details[name]`, `{{` and `}}` are literal braces. An unknown code or
 * reason is a programming error (as on the server).
 */
export function problem(code, reason = null, details = {}) {
  const p = SCHEMA.problems[code];
  if (!p) throw new Error(`unknown problem ${code}`);
  const template = reason == null ? p.message : p.reasons[reason];
  if (template === undefined) throw new Error(`unknown reason ${code}/${reason}`);
  return template.replace(/\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name) => {
    if (match === "{{") return "{";
    if (match === "}}") return "}";
    return name in details && details[name] != null ? detail(details[name]) : match;
  });
}
