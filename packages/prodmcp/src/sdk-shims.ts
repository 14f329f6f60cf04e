/**
 * The bundle's replacement for `@modelcontextprotocol/server/_shims` (the SDK's runtime-specific
 * seam, which also has browser and workerd variants). The Node variant pulls in AJV (about 150 KB
 * of the bundle) only to construct a default JSON Schema validator; prodmcp validates tool
 * arguments with its own checker, so that checker is the default here and AJV stays out.
 */
import process from 'node:process';
import { argumentValidator } from '@prodboard/tools';

/** The SDK's default JSON Schema validator class, backed by prodmcp's argument checker. */
export class DefaultJsonSchemaValidator {
  getValidator = argumentValidator.getValidator;
}

export { process };
