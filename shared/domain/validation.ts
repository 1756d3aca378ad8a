/**
 * Parse, don't cast: every event and payload that crosses a boundary is checked against its
 * JSON Schema with ajv. Validators are compiled once per schema and reused.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats.default(ajv);

export type Validation<T> = { ok: true; value: T } | { ok: false; error: string };

export interface Validator<T> {
  (input: unknown): Validation<T>;
  readonly schema: object;
}

export function makeValidator<T>(schema: object): Validator<T> {
  const validate: ValidateFunction = ajv.compile(schema);
  const check = (input: unknown): Validation<T> =>
    validate(input) ? { ok: true, value: input as T } : { ok: false, error: describeErrors(validate.errors) };
  return Object.assign(check, { schema });
}

/** One line naming each failing path, e.g. `/items/0/rating must be <= 5`. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return 'invalid';
  return errors
    .slice(0, 5)
    .map((error) => {
      const path = error.instancePath === '' ? '/' : error.instancePath;
      if (error.keyword === 'required')
        return `${path} must have property '${String(error.params.missingProperty)}'`;
      if (error.keyword === 'additionalProperties')
        return `${path} must not have property '${String(error.params.additionalProperty)}'`;
      return `${path} ${error.message ?? 'is invalid'}`;
    })
    .join('; ');
}
