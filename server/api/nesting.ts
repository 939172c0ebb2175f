/**
 * @module server/api/nesting
 * Layer: api (pure). The nesting-depth bound every request body and every patched object is held to, and
 * the iterative scanners that enforce it before any recursive code (the YAML composer, JSON.stringify, the
 * schema walker, merge and apply) sees the value. kube-apiserver's decoders stop at 10,000 levels; Node's
 * default stack holds recursive walks of a few hundred to a few thousand levels, so kubemu's bound is lower
 * (no built-in kind nests deeper than about 30 levels; a deep CRD schema about 100).
 */

/** Containers (objects or arrays) inside one another that a body or stored object may hold. */
export const MAX_NESTING_DEPTH = 256;

export function nestingTooDeepMessage(limit = MAX_NESTING_DEPTH): string {
  return `the object is nested more than ${limit} levels deep, more than kubemu accepts`;
}

/** The deepest nesting of `{`/`[` in a JSON text, counting up to `limit + 1` and stopping there. */
export function jsonTextDepth(text: string, limit = MAX_NESTING_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/**
 * An upper bound of the block nesting in a YAML text (flow collections are counted from the lexer's tokens),
 * stopping past `limit`. Every deeper indentation is a level, and so is each `- ` or `? ` entry indicator (a
 * block sequence may sit at its parent key's column). Lines inside block scalars, quoted scalars and flows are
 * counted as if they were structure: it may overcount, never undercount.
 */
export function yamlBlockDepth(text: string, limit = MAX_NESTING_DEPTH): number {
  // Columns of the open levels; an entry indicator at column c opens a level at c + 0.5, below its content.
  const levels: number[] = [];
  let deepest = 0;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let end = text.indexOf('\n', lineStart);
    if (end < 0) end = text.length;
    let i = lineStart;
    for (;;) {
      while (i < end && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
      const c = text.charCodeAt(i);
      if (i >= end || c === 0x23 /* # */ || c === 0x0d) break;
      const indicator = (c === 0x2d /* - */ || c === 0x3f /* ? */) && (i + 1 >= end || isBlank(text.charCodeAt(i + 1)));
      const column = i - lineStart + (indicator ? 0.5 : 0);
      while (levels.length > 0 && (levels[levels.length - 1] as number) >= column) levels.pop();
      levels.push(column);
      if (!indicator) break;
      i++;
    }
    if (levels.length > deepest) {
      deepest = levels.length;
      if (deepest > limit) return deepest;
    }
    lineStart = end + 1;
  }
  return deepest;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d;
}

/** How deeply a decoded value nests containers, counting up to `limit + 1` (walked with an explicit stack). */
export function valueDepth(value: unknown, limit = MAX_NESTING_DEPTH): number {
  if (typeof value !== 'object' || value === null) return 0;
  let deepest = 0;
  const stack: Array<[object, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [object, number];
    if (depth > deepest) {
      deepest = depth;
      if (deepest > limit) return deepest;
    }
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}
