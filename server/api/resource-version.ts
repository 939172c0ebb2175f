/**
 * @module server/api/resource-version
 * Layer: api (pure). Parses a resourceVersion a client sends as upstream's versioner does: a uint64 in
 * decimal, else 400 BadRequest with strconv's wording.
 */
import { errors } from './status.js';

const MAX_UINT64 = 18446744073709551615n;

/** The revision a resourceVersion names (0 for "0"); throws 400 for anything that is not a uint64. */
export function parseResourceVersion(text: string): number {
  let problem: string | undefined;
  if (!/^\d+$/.test(text)) problem = 'invalid syntax';
  else if (BigInt(text) > MAX_UINT64) problem = 'value out of range';
  if (problem) {
    throw errors.badRequest(`invalid resource version: resourceVersion: Invalid value: ${JSON.stringify(text)}: strconv.ParseUint: parsing ${JSON.stringify(text)}: ${problem}`);
  }
  return Number(text);
}
