/**
 * @module server/http/yaml-body
 * Layer: http. Decodes a YAML request body into plain data without ever letting input decide how deep the
 * YAML library recurses or how much it expands: nesting is bounded before composing (block levels by a line
 * scan, flow levels by the lexer's tokens as they stream into the parser), and anchors are checked on the
 * document before it becomes data — no self-reference, at most 100 aliases, an expansion no larger than a
 * body may be. Repeated keys are reported on the way, for fieldValidation.
 */
import { Composer, isAlias, isMap, isScalar, isSeq, Lexer, LineCounter, Parser, type CST, type Document, type Node } from 'yaml';
import { MAX_NESTING_DEPTH, nestingTooDeepMessage, yamlBlockDepth } from '../api/nesting.js';
import { errors } from '../api/status.js';

/** What a body may expand to through aliases (the body limit itself: 3 MiB). */
export const MAX_EXPANDED_BYTES = 3 * 1024 * 1024;
export const MAX_ALIASES = 100;

export interface DecodedYaml {
  value: unknown;
  /** keys set twice, as dotted paths */
  duplicates: string[];
}

function yamlError(message: string): never {
  throw errors.badRequest(`the body of the request could not be decoded as YAML: ${message}`);
}

function composeDocument(text: string): Document.Parsed {
  const blockDepth = yamlBlockDepth(text);
  if (blockDepth > MAX_NESTING_DEPTH) yamlError(nestingTooDeepMessage());
  const lineCounter = new LineCounter();
  const parser = new Parser(lineCounter.addNewLine);
  const tokens: CST.Token[] = [];
  let flow = 0;
  for (const lexeme of new Lexer().lex(text)) {
    if (lexeme === '[' || lexeme === '{') {
      if (++flow + blockDepth > MAX_NESTING_DEPTH) yamlError(nestingTooDeepMessage());
    } else if ((lexeme === ']' || lexeme === '}') && flow > 0) flow--;
    for (const token of parser.next(lexeme)) tokens.push(token);
  }
  for (const token of parser.end()) tokens.push(token);
  const composer = new Composer({ uniqueKeys: false });
  const documents = [...composer.compose(tokens, true, text.length)];
  if (documents.length > 1) yamlError('the body holds more than one YAML document');
  const document = documents[0] as Document.Parsed;
  const error = document.errors[0];
  if (error) {
    const at = lineCounter.linePos(error.pos[0]);
    yamlError(`${error.message.split('\n')[0] ?? error.code} at line ${at.line}, column ${at.col}`);
  }
  return document;
}

interface Measure {
  bytes: number;
  depth: number;
}

/**
 * Measures what the document becomes once aliases are expanded, walking with an explicit stack in document
 * order (an anchor is defined before its aliases), and collects repeated keys on the way.
 */
function inspect(document: Document.Parsed): string[] {
  const duplicates: string[] = [];
  const anchors = new Map<string, Node>();
  const measured = new Map<Node, Measure>();
  const open = new Set<Node>();
  let aliases = 0;
  type Frame = { node: Node; path: string; children?: Array<[Node | null, string]>; next: number };
  const root = document.contents as Node | null;
  if (!root) return duplicates;
  const stack: Frame[] = [{ node: root, path: '', next: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    const { node } = frame;
    if (frame.children === undefined) {
      if ('anchor' in node && typeof node.anchor === 'string') anchors.set(node.anchor, node);
      if (isAlias(node)) {
        if (++aliases > MAX_ALIASES) yamlError(`excessive aliasing: more than ${MAX_ALIASES} aliases`);
        const target = anchors.get(node.source);
        if (!target) yamlError(`unknown anchor "${node.source}" referenced`);
        if (open.has(target)) yamlError(`anchor "${node.source}" value contains itself`);
        measured.set(node, measured.get(target) as Measure);
        stack.pop();
        continue;
      }
      frame.children = [];
      open.add(node);
      if (isMap(node)) {
        const seen = new Set<string>();
        for (const pair of node.items) {
          // JSON has string keys only; a sequence or mapping as a key has no JSON form.
          if (pair.key !== null && !isScalar(pair.key) && !isAlias(pair.key)) yamlError('a mapping key must be a scalar');
          const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
          const child = frame.path ? `${frame.path}.${key}` : key;
          if (seen.has(key)) duplicates.push(child);
          seen.add(key);
          frame.children.push([pair.key as Node | null, child], [pair.value as Node | null, child]);
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, index) => (frame.children as Array<[Node | null, string]>).push([item as Node | null, `${frame.path}[${index}]`]));
      }
    }
    const children = frame.children;
    const pending = children[frame.next];
    if (pending !== undefined) {
      frame.next++;
      if (pending[0]) stack.push({ node: pending[0], path: pending[1], next: 0 });
      continue;
    }
    // Every child is measured: this node's expansion is theirs plus its own source (and JSON's quotes and comma).
    let bytes = isScalar(node) ? sourceLength(node) + 3 : 2;
    let depth = 0;
    for (const [child] of children) {
      const m = child ? measured.get(child) : undefined;
      if (!m) continue;
      bytes += m.bytes;
      if (m.depth > depth) depth = m.depth;
    }
    const measure = { bytes, depth: isMap(node) || isSeq(node) ? depth + 1 : depth };
    if (measure.bytes > MAX_EXPANDED_BYTES) yamlError(`excessive aliasing: the document expands to more than ${MAX_EXPANDED_BYTES} bytes`);
    if (measure.depth > MAX_NESTING_DEPTH) yamlError(nestingTooDeepMessage());
    measured.set(node, measure);
    open.delete(node);
    stack.pop();
  }
  return duplicates;
}

function sourceLength(node: Node): number {
  const range = node.range;
  if (range) return Math.max(range[1] - range[0], 1);
  return String((node as { value?: unknown }).value ?? '').length;
}

/** One YAML document as plain data (anchors expanded), with its repeated keys. */
export function decodeYamlText(text: string): DecodedYaml {
  const document = composeDocument(text);
  const duplicates = inspect(document);
  try {
    return { value: document.toJS({ maxAliasCount: -1 }), duplicates };
  } catch (err) {
    return yamlError((err as Error).message);
  }
}
