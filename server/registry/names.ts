/**
 * @module server/registry/names
 * Layer: registry. Generated names and UIDs, as the apiserver's names.SimpleNameGenerator makes them.
 */
import { randomInt, randomUUID } from 'node:crypto';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const RANDOM_LENGTH = 5;
const MAX_GENERATED_NAME_LENGTH = 63;

export function randomSuffix(length = RANDOM_LENGTH): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** `generateName` + 5 random characters, the base cut so the whole stays within 63 characters. */
export function generateName(base: string): string {
  return base.slice(0, MAX_GENERATED_NAME_LENGTH - RANDOM_LENGTH) + randomSuffix();
}

export function newUid(): string {
  return randomUUID();
}
