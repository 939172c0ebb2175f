/**
 * @module server/api/labels
 * Layer: api (pure). Label selectors: parsing the `labelSelector=` query syntax, converting metav1.LabelSelector
 * (matchLabels/matchExpressions) and node selector requirements, matching, and the canonical string form that
 * kubectl both prints and sends (mirrors k8s.io/apimachinery/pkg/labels).
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

export type Operator = 'in' | 'notin' | 'exists' | '!' | '=' | '==' | '!=' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export type Labels = Readonly<Record<string, string>> | undefined;

/** A parsed selector. An empty requirement list selects everything; `nothing` selects nothing. */
export class Selector {
  static readonly everything = new Selector([]);
  static readonly nothing = new Selector([], true);

  private constructor(
    readonly requirements: readonly Requirement[],
    readonly selectsNothing = false,
  ) {}

  static of(requirements: Requirement[]): Selector {
    return new Selector([...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
  }

  get empty(): boolean {
    return !this.selectsNothing && this.requirements.length === 0;
  }

  matches(labels: Labels): boolean {
    if (this.selectsNothing) return false;
    for (const requirement of this.requirements) if (!requirementMatches(requirement, labels)) return false;
    return true;
  }

  /** The canonical form: requirements sorted by key, `k=v`, `k in (a,b)`, `k`, `!k`, joined by commas. */
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

function requirementMatches({ key, operator, values }: Requirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, key);
  const value = has ? (labels as Record<string, string>)[key] : undefined;
  switch (operator) {
    case 'in':
    case '=':
    case '==':
      return has && values.includes(value as string);
    case 'notin':
    case '!=':
      return !has || !values.includes(value as string);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has) return false;
      const actual = Number(value);
      const bound = Number(values[0]);
      if (!Number.isInteger(actual) || !Number.isInteger(bound)) return false;
      return operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

function requirementString({ key, operator, values }: Requirement): string {
  switch (operator) {
    case 'exists':
      return key;
    case '!':
      return `!${key}`;
    case 'in':
    case 'notin':
      return `${key} ${operator} (${[...values].sort().join(',')})`;
    case 'gt':
      return `${key}>${values[0]}`;
    case 'lt':
      return `${key}<${values[0]}`;
    default:
      return `${key}${operator}${values[0]}`;
  }
}

export class SelectorParseError extends Error {
  override readonly name = 'SelectorParseError';
}

// ---------------------------------------------------------------- the query syntax

type Token = { kind: 'id' | 'op' | 'comma' | 'open' | 'close' | 'not' | 'end'; text: string };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const isIdChar = (c: string) => !/[\s,()!=<>]/.test(c);
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === ',') {
      tokens.push({ kind: 'comma', text: c });
      i++;
    } else if (c === '(') {
      tokens.push({ kind: 'open', text: c });
      i++;
    } else if (c === ')') {
      tokens.push({ kind: 'close', text: c });
      i++;
    } else if (c === '!' && input[i + 1] === '=') {
      tokens.push({ kind: 'op', text: '!=' });
      i += 2;
    } else if (c === '!') {
      tokens.push({ kind: 'not', text: c });
      i++;
    } else if (c === '=' && input[i + 1] === '=') {
      tokens.push({ kind: 'op', text: '==' });
      i += 2;
    } else if (c === '=' || c === '<' || c === '>') {
      tokens.push({ kind: 'op', text: c });
      i++;
    } else {
      let j = i;
      while (j < input.length && isIdChar(input[j] as string)) j++;
      const text = input.slice(i, j);
      tokens.push(text === 'in' || text === 'notin' ? { kind: 'op', text } : { kind: 'id', text });
      i = j;
    }
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

const wrap = (message: string) => new SelectorParseError(`unable to parse requirement: ${message}`);

function validateKey(key: string): void {
  const problems = isQualifiedName(key);
  if (problems.length > 0) throw wrap(`<nil>: Invalid value: ${JSON.stringify(key)}: ${problems.join('; ')}`);
}

function validateValue(key: string, index: number, value: string): void {
  const problems = isValidLabelValue(value);
  if (problems.length > 0) throw wrap(`values[${index}][${key}]: Invalid value: ${JSON.stringify(value)}: ${problems.join('; ')}`);
}

/** Parse the `labelSelector=` syntax: `a=b,c!=d,e in (f,g),h notin (i),j,!k` (messages as labels.Parse). */
export function parseSelector(input: string): Selector {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = () => tokens[pos] as Token;
  const next = () => tokens[pos++] as Token;
  // In value positions the keywords `in` and `notin` are ordinary identifiers (as upstream's Values context).
  const asValue = (token: Token): Token => (token.kind === 'op' && (token.text === 'in' || token.text === 'notin') ? { kind: 'id', text: token.text } : token);
  const requirements: Requirement[] = [];
  if (peek().kind === 'end') return Selector.everything;
  for (;;) {
    const token = next();
    if (token.kind === 'not') {
      const key = next();
      if (key.kind !== 'id') throw wrap(`found '${key.text}', expected: identifier`);
      validateKey(key.text);
      requirements.push({ key: key.text, operator: '!', values: [] });
    } else if (token.kind === 'id') {
      const key = token.text;
      validateKey(key);
      const after = peek();
      if (after.kind === 'comma' || after.kind === 'end') {
        requirements.push({ key, operator: 'exists', values: [] });
      } else if (after.kind === 'op') {
        next();
        const operator = (after.text === '>' ? 'gt' : after.text === '<' ? 'lt' : after.text) as Operator;
        if (operator === 'in' || operator === 'notin') {
          const open = next();
          if (open.kind !== 'open') throw wrap(`found '${open.text}' expected: '('`);
          const values: string[] = [];
          let expectValue = true;
          for (;;) {
            const item = asValue(next());
            if (item.kind === 'close') {
              if (expectValue) values.push('');
              break;
            }
            if (item.kind === 'comma') {
              if (expectValue) values.push('');
              expectValue = true;
              continue;
            }
            if (item.kind === 'id' && expectValue) {
              validateValue(key, values.length, item.text);
              values.push(item.text);
              expectValue = false;
              continue;
            }
            if (item.kind === 'end') throw wrap(`found '', expected: ',' or ')'`);
            throw wrap(values.length === 0 && expectValue ? `found '${item.text}', expected: ',', ')' or identifier` : `found '${item.text}', expected: ',', or identifier`);
          }
          requirements.push({ key, operator, values: [...new Set(values)] });
        } else {
          const value = asValue(peek());
          let text = '';
          if (value.kind === 'id') {
            next();
            text = value.text;
          } else if (value.kind !== 'comma' && value.kind !== 'end') {
            throw wrap(`found '${value.text}', expected: identifier`);
          }
          if ((operator === 'gt' || operator === 'lt') && !/^-?\d+$/.test(text)) {
            throw wrap(`values[0]: Invalid value: ${JSON.stringify(text)}: for 'Gt', 'Lt' operators, the value must be an integer`);
          }
          validateValue(key, 0, text);
          requirements.push({ key, operator, values: [text] });
        }
      } else {
        throw wrap(`found '${after.text}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    } else {
      throw new SelectorParseError(`found '${token.text}', expected: !, identifier, or 'end of string'`);
    }
    const separator = next();
    if (separator.kind === 'end') break;
    if (separator.kind !== 'comma') throw new SelectorParseError(`found '${separator.text}', expected: ',' or 'end of string'`);
    const following = peek();
    if (following.kind !== 'id' && following.kind !== 'not') throw new SelectorParseError(`found '${following.text}', expected: identifier after ','`);
  }
  return Selector.of(requirements);
}

// ---------------------------------------------------------------- structured selectors

const EXPRESSION_OPERATORS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelector → Selector (LabelSelectorAsSelector): undefined selects nothing, `{}` everything.
 * Throws SelectorParseError for an invalid expression.
 */
export function fromLabelSelector(selector: LabelSelector | undefined | null): Selector {
  if (!selector) return Selector.nothing;
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) requirements.push({ key, operator: '=', values: [value] });
  for (const expression of selector.matchExpressions ?? []) {
    const operator = EXPRESSION_OPERATORS[expression.operator];
    if (!operator) throw new SelectorParseError(`${JSON.stringify(expression.operator)} is not a valid label selector operator`);
    const values = expression.values ?? [];
    if ((operator === 'in' || operator === 'notin') && values.length === 0) {
      throw new SelectorParseError('for \'in\', \'notin\' operators, values set can\'t be empty');
    }
    requirements.push({ key: expression.key, operator, values: [...values] });
  }
  return Selector.of(requirements);
}

/** A map selector (Service/RC spec.selector, nodeSelector): empty selects everything. */
export function fromMap(labels: Labels): Selector {
  return Selector.of(Object.entries(labels ?? {}).map(([key, value]) => ({ key, operator: '=' as Operator, values: [value] })));
}

/** `k=v` pairs sorted, comma-joined; `<none>` when empty (kubectl's FormatLabels). */
export function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`).sort();
  return pairs.length === 0 ? '<none>' : pairs.join(',');
}

/** The printed form of a metav1.LabelSelector: `<none>` when it selects everything or nothing. */
export function formatLabelSelector(selector: LabelSelector | undefined | null): string {
  try {
    const text = fromLabelSelector(selector).toString();
    return text === '' ? '<none>' : text;
  } catch {
    return '<error>';
  }
}
