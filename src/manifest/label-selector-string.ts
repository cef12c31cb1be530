// Label selectors written as strings, as `kubectl get -l` takes them: labels.Parse of
// apimachinery/pkg/labels/selector.go (its lexer, its grammar, its error words), then
// Requirement.Matches. `a=b,c!=d,e in (x,y),f notin (z),g,!h,n>3`. Pure.
//
//   <selector-syntax>  ::= <requirement> | <requirement> "," <selector-syntax>
//   <requirement>      ::= [!] KEY [ ("in"|"notin") "(" VALUES ")" | ("="|"=="|"!="|">"|"<") VALUE ]
import { isQualifiedName, isValidLabelValue } from './name-rules.js';

export type StringSelectorOperator =
  | 'In'
  | 'NotIn'
  | 'Equals'
  | 'NotEquals'
  | 'Exists'
  | 'DoesNotExist'
  | 'Gt'
  | 'Lt';
export interface StringRequirement {
  key: string;
  operator: StringSelectorOperator;
  values: string[];
}

/** A selector string upstream refuses; the message is upstream's. */
export class SelectorParseError extends Error {
  readonly code = 'selector.invalid';
}

type Tok = { t: 'id' | 'op' | 'end'; s: string };
const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const OPERATORS = new Set(['!', '!=', '=', '==', '>', '<', '(', ')', ',']);
const BINARY = 'in, notin, =, ==, !=, gt, lt';

/** The lexer: identifiers (anything up to a special symbol or blank) and the longest
 *  special-symbol token (`!=` before `!`). */
function lex(s: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  for (;;) {
    while (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r') i++;
    if (i >= s.length) return [...toks, { t: 'end', s: '' }];
    if (SPECIAL.has(s[i]!)) {
      const two = s.slice(i, i + 2);
      const op = OPERATORS.has(two) ? two : s[i]!;
      if (!OPERATORS.has(op)) throw new SelectorParseError(`error expected: keyword found '${op}'`);
      toks.push({ t: 'op', s: op });
      i += op.length;
      continue;
    }
    const start = i;
    while (i < s.length && !SPECIAL.has(s[i]!) && !/\s/.test(s[i]!)) i++;
    toks.push({ t: 'id', s: s.slice(start, i) });
  }
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}
  peek(): Tok {
    return this.toks[this.pos]!;
  }
  next(): Tok {
    return this.toks[this.pos++]!;
  }
  isKeyStart(t: Tok): boolean {
    return t.t === 'id' || (t.t === 'op' && t.s === '!');
  }
  /** parse(): requirements separated by commas, then the end. */
  parse(): StringRequirement[] {
    const reqs: StringRequirement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.t === 'end') return reqs;
      if (!this.isKeyStart(t))
        throw new SelectorParseError(`found '${t.s}', expected: !, identifier, or 'end of string'`);
      reqs.push(this.requirement());
      const sep = this.next();
      if (sep.t === 'end') return reqs;
      if (sep.s !== ',') throw new SelectorParseError(`found '${sep.s}', expected: ',' or 'end of string'`);
      const after = this.peek();
      if (!this.isKeyStart(after))
        throw new SelectorParseError(`found '${after.s}', expected: identifier after ','`);
    }
  }
  requirement(): StringRequirement {
    try {
      return this.requirementInner();
    } catch (e) {
      if (e instanceof SelectorParseError)
        throw new SelectorParseError(`unable to parse requirement: ${e.message}`);
      throw e;
    }
  }
  private requirementInner(): StringRequirement {
    let t = this.next();
    const negated = t.t === 'op' && t.s === '!';
    if (negated) t = this.next();
    if (t.t !== 'id') throw new SelectorParseError(`found '${t.s}', expected: identifier`);
    const key = t.s;
    for (const e of isQualifiedName(key)) throw new SelectorParseError(`Invalid value: "${key}": ${e}`);
    // `!key` is complete as it stands (upstream returns DoesNotExist before any operator).
    if (negated) return newRequirement(key, 'DoesNotExist', []);
    const la = this.peek();
    if (la.t === 'end' || la.s === ',') return newRequirement(key, 'Exists', []);
    const op = this.operator();
    const values = op === 'In' || op === 'NotIn' ? this.valueSet() : [this.exactValue()];
    return newRequirement(key, op, values);
  }
  private operator(): StringSelectorOperator {
    const t = this.next();
    const byWord: Record<string, StringSelectorOperator> = { in: 'In', notin: 'NotIn' };
    const bySymbol: Record<string, StringSelectorOperator> = {
      '=': 'Equals',
      '==': 'Equals',
      '!=': 'NotEquals',
      '>': 'Gt',
      '<': 'Lt',
    };
    const op = t.t === 'id' ? byWord[t.s] : t.t === 'op' ? bySymbol[t.s] : undefined;
    if (!op) throw new SelectorParseError(`found '${t.s}', expected: ${BINARY}`);
    return op;
  }
  private exactValue(): string {
    const la = this.peek();
    if (la.t === 'end' || la.s === ',') return '';
    const t = this.next();
    if (t.t !== 'id') throw new SelectorParseError(`found '${t.s}', expected: identifier`);
    return t.s;
  }
  /** `(a,b,,c)`; empty members are the empty value, as upstream's parseValues and
   *  parseIdentifiersList (their error words too). */
  private valueSet(): string[] {
    const open = this.next();
    if (open.s !== '(' || open.t !== 'op') throw new SelectorParseError(`found '${open.s}' expected: '('`);
    const first = this.peek();
    if (first.t === 'op' && first.s === ')') {
      this.next();
      return [''];
    }
    if (first.t !== 'id' && first.s !== ',')
      throw new SelectorParseError(`found '${first.s}', expected: ',', ')' or identifier`);
    const values = this.identifiers();
    this.next(); // the ')' identifiers() stopped at
    return [...values].sort();
  }
  private identifiers(): Set<string> {
    const values = new Set<string>();
    for (;;) {
      const t = this.next();
      const la = this.peek();
      if (t.t === 'id') {
        values.add(t.s);
        if (la.s === ')' && la.t === 'op') return values;
        if (la.s !== ',' || la.t !== 'op')
          throw new SelectorParseError(`found '${la.s}', expected: ',' or ')'`);
      } else if (t.t === 'op' && t.s === ',') {
        if (values.size === 0 || (la.t === 'op' && (la.s === ')' || la.s === ','))) values.add('');
        if (la.t === 'op' && la.s === ')') return values;
      } else throw new SelectorParseError(`found '${t.s}', expected: ',', or identifier`);
    }
  }
}

/** NewRequirement's checks (selector.go): value counts per operator, integers for gt/lt,
 *  label value syntax. */
function newRequirement(key: string, operator: StringSelectorOperator, values: string[]): StringRequirement {
  if ((operator === 'Equals' || operator === 'NotEquals') && values.length !== 1)
    throw new SelectorParseError(
      "values: Invalid value: exactly one value is required for '=', '==', '!=' operators",
    );
  if (operator === 'Gt' || operator === 'Lt') {
    if (!/^-?\d+$/.test(values[0] ?? ''))
      throw new SelectorParseError(
        `values[0]: Invalid value: "${values[0]}": for 'Gt', 'Lt' operators, the value must be an integer`,
      );
    return { key, operator, values };
  }
  values.forEach((v, i) => {
    for (const e of isValidLabelValue(v))
      throw new SelectorParseError(`values[${i}][${key}]: Invalid value: "${v}": ${e}`);
  });
  return { key, operator, values };
}

/** labels.Parse: the requirements of a selector string (empty string: none, matches all). */
export function parseSelectorString(selector: string): StringRequirement[] {
  return new Parser(lex(selector)).parse();
}
