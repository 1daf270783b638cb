// A JSON parser that keeps what JSON.parse throws away and kube's decoder reports on: every member of an object in
// document order, duplicates included, and the literal text of numbers ("1.0" is not an integer to Go).

/** An object's members exactly as written. */
export class OrderedObject {
  readonly keys: string[] = [];
  readonly values: unknown[] = [];
}

/** A number with its source literal. */
export class NumberLiteral {
  constructor(readonly value: number, readonly text: string) {}
}

/** Parses `text` (already known to be valid JSON) into plain values, OrderedObjects and NumberLiterals. */
export function parseOrdered(text: string): unknown {
  const p = new Parser(text);
  p.skipSpace();
  const value = p.value();
  p.skipSpace();
  if (p.pos !== text.length) p.fail();
  return value;
}

class Parser {
  pos = 0;
  constructor(private readonly s: string) {}

  value(): unknown {
    const c = this.s.charCodeAt(this.pos);
    if (c === 0x7b /* { */) return this.object();
    if (c === 0x5b /* [ */) return this.array();
    if (c === 0x22 /* " */) return this.string();
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) return this.number();
    if (this.s.startsWith('true', this.pos)) return this.literal(4, true);
    if (this.s.startsWith('false', this.pos)) return this.literal(5, false);
    if (this.s.startsWith('null', this.pos)) return this.literal(4, null);
    return this.fail();
  }

  private object(): OrderedObject {
    const obj = new OrderedObject();
    this.pos++;
    this.skipSpace();
    if (this.s.charCodeAt(this.pos) === 0x7d /* } */) {
      this.pos++;
      return obj;
    }
    for (;;) {
      this.skipSpace();
      if (this.s.charCodeAt(this.pos) !== 0x22) this.fail();
      obj.keys.push(this.string());
      this.skipSpace();
      this.expect(0x3a /* : */);
      this.skipSpace();
      obj.values.push(this.value());
      this.skipSpace();
      if (this.s.charCodeAt(this.pos) === 0x2c /* , */) {
        this.pos++;
        continue;
      }
      this.expect(0x7d);
      return obj;
    }
  }

  private array(): unknown[] {
    const arr: unknown[] = [];
    this.pos++;
    this.skipSpace();
    if (this.s.charCodeAt(this.pos) === 0x5d /* ] */) {
      this.pos++;
      return arr;
    }
    for (;;) {
      this.skipSpace();
      arr.push(this.value());
      this.skipSpace();
      if (this.s.charCodeAt(this.pos) === 0x2c) {
        this.pos++;
        continue;
      }
      this.expect(0x5d);
      return arr;
    }
  }

  private string(): string {
    const start = this.pos;
    let escaped = false;
    for (let i = start + 1; i < this.s.length; i++) {
      const c = this.s.charCodeAt(i);
      if (c === 0x5c /* \ */) {
        escaped = true;
        i++;
      } else if (c === 0x22) {
        this.pos = i + 1;
        const raw = this.s.slice(start, this.pos);
        return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
      }
    }
    return this.fail();
  }

  private number(): NumberLiteral {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = this.pos;
    const match = m.exec(this.s);
    if (!match) this.fail();
    this.pos += match![0].length;
    return new NumberLiteral(Number(match![0]), match![0]);
  }

  private literal(length: number, value: boolean | null): boolean | null {
    this.pos += length;
    return value;
  }

  skipSpace(): void {
    for (;;) {
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else return;
    }
  }

  private expect(c: number): void {
    if (this.s.charCodeAt(this.pos) !== c) this.fail();
    this.pos++;
  }

  fail(): never {
    throw new SyntaxError(`invalid JSON at offset ${this.pos}`);
  }
}
