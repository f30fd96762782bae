// A small evaluator for GitHub Actions expressions, enough to run the `if:` prefilters of Pilot's
// workflows against real webhook payloads. Semantics follow GitHub's documentation: `==` compares
// strings case-insensitively and coerces mixed types to numbers, `&&`/`||` return an operand,
// `startsWith`/`contains` ignore case, `a.*.b` maps over an array.
// https://docs.github.com/actions/reference/workflows-and-actions/expressions

type Value = null | boolean | number | string | Value[] | { [k: string]: Value };

type Token =
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'id'; v: string }
  | { t: 'op'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) i++;
    else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new Error(`unterminated string in ${src}`);
        if (src[i] === "'" && src[i + 1] === "'") {
          s += "'";
          i += 2;
        } else if (src[i] === "'") break;
        else s += src[i++];
      }
      i++;
      out.push({ t: 'str', v: s });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(?:\.[0-9]+)?/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      const op = ['==', '!=', '<=', '>=', '&&', '||'].find((o) => src.startsWith(o, i)) ?? c;
      if (op.length === 1 && !'()[],.!<>*'.includes(op)) throw new Error(`unexpected ${c} in ${src}`);
      out.push({ t: 'op', v: op });
      i += op.length;
    }
  }
  return out;
}

const truthy = (v: Value): boolean => !(v === null || v === false || v === 0 || v === '' || Number.isNaN(v));

function toNumber(v: Value): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim() === '' ? 0 : Number(v);
  return Number.NaN;
}

function looseEquals(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b && (typeof a !== 'object' || a === null)) return a === b;
  if (typeof a === 'object' || typeof b === 'object') return a === b;
  return toNumber(a) === toNumber(b);
}

function str(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const FUNCTIONS: Record<string, (...a: Value[]) => Value> = {
  startsWith: (s, p) => str(s).toLowerCase().startsWith(str(p).toLowerCase()),
  endsWith: (s, p) => str(s).toLowerCase().endsWith(str(p).toLowerCase()),
  contains: (hay, needle) =>
    Array.isArray(hay)
      ? hay.some((x) => looseEquals(x, needle))
      : str(hay).toLowerCase().includes(str(needle).toLowerCase()),
  fromJSON: (s) => JSON.parse(str(s)) as Value,
  toJSON: (v) => JSON.stringify(v),
  format: (f, ...args) => str(f).replace(/\{(\d+)\}/g, (_, n) => str(args[Number(n)] ?? null)),
  success: () => true,
  always: () => true,
  failure: () => false,
  cancelled: () => false,
};

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly context: Record<string, Value>,
  ) {}

  parse(): Value {
    const v = this.or();
    if (this.pos !== this.tokens.length)
      throw new Error(`unexpected ${JSON.stringify(this.tokens[this.pos])}`);
    return v;
  }

  private peekOp(op: string): boolean {
    const t = this.tokens[this.pos];
    return t?.t === 'op' && t.v === op;
  }

  private expect(op: string): void {
    if (!this.peekOp(op)) throw new Error(`expected ${op} at token ${this.pos}`);
    this.pos++;
  }

  private or(): Value {
    let left = this.and();
    while (this.peekOp('||')) {
      this.pos++;
      const right = this.and();
      left = truthy(left) ? left : right;
    }
    return left;
  }

  private and(): Value {
    let left = this.comparison();
    while (this.peekOp('&&')) {
      this.pos++;
      const right = this.comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  }

  private comparison(): Value {
    const left = this.unary();
    for (const op of ['==', '!=', '<=', '>=', '<', '>']) {
      if (!this.peekOp(op)) continue;
      this.pos++;
      const right = this.unary();
      if (op === '==') return looseEquals(left, right);
      if (op === '!=') return !looseEquals(left, right);
      const [a, b] = [toNumber(left), toNumber(right)];
      return op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
    }
    return left;
  }

  private unary(): Value {
    if (this.peekOp('!')) {
      this.pos++;
      return !truthy(this.unary());
    }
    return this.postfix(this.primary());
  }

  private primary(): Value {
    const t = this.tokens[this.pos++];
    if (!t) throw new Error('unexpected end of expression');
    if (t.t === 'str' || t.t === 'num') return t.v;
    if (t.t === 'op' && t.v === '(') {
      const v = this.or();
      this.expect(')');
      return v;
    }
    if (t.t === 'id') {
      if (t.v === 'true' || t.v === 'false') return t.v === 'true';
      if (t.v === 'null') return null;
      if (this.peekOp('(')) return this.call(t.v);
      return this.context[t.v] ?? null;
    }
    throw new Error(`unexpected ${t.v}`);
  }

  private call(name: string): Value {
    const fn = FUNCTIONS[name];
    if (!fn) throw new Error(`unknown function ${name}`);
    this.expect('(');
    const args: Value[] = [];
    while (!this.peekOp(')')) {
      args.push(this.or());
      if (!this.peekOp(')')) this.expect(',');
    }
    this.expect(')');
    return fn(...args);
  }

  private postfix(value: Value): Value {
    let v = value;
    for (;;) {
      if (this.peekOp('.')) {
        this.pos++;
        const t = this.tokens[this.pos++];
        if (t?.t === 'op' && t.v === '*')
          v = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : [];
        else if (t?.t === 'id') v = property(v, t.v);
        else throw new Error('expected a property name after .');
      } else if (this.peekOp('[')) {
        this.pos++;
        const key = this.or();
        this.expect(']');
        v = property(v, str(key));
      } else return v;
    }
  }
}

/** `x.name` on an array (after `.*`) maps over it, as GitHub's object filters do. */
function property(v: Value, key: string): Value {
  if (Array.isArray(v)) {
    if (/^[0-9]+$/.test(key)) return v[Number(key)] ?? null;
    return v.map((item) => property(item, key));
  }
  if (v && typeof v === 'object') {
    const found = Object.keys(v).find((k) => k.toLowerCase() === key.toLowerCase());
    return found === undefined ? null : (v[found] ?? null);
  }
  return null;
}

/** Evaluates an `if:` value: a bare expression, or one wrapped in `${{ }}`. */
export function evaluateIf(condition: string, context: Record<string, unknown>): boolean {
  const m = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(condition);
  const src = m ? m[1] : condition;
  return truthy(new Parser(tokenize(src), context as Record<string, Value>).parse());
}

/** Evaluates `${{ }}` parts of a string the way a `with:` or `group:` value is rendered. */
export function render(template: string, context: Record<string, unknown>): string {
  return template.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, src: string) =>
    str(new Parser(tokenize(src), context as Record<string, Value>).parse()),
  );
}
