import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Quantity } from './quantity.js';

const q = (s: string | number) => Quantity.parse(s);

test('quantities print in the canonical form Kubernetes serializes', () => {
  const cases: [string | number, string][] = [
    ['0', '0'],
    ['8', '8'],
    [110, '110'],
    ['1000', '1k'],
    ['1100', '1100'],
    ['1500m', '1500m'],
    ['0.5', '500m'],
    ['1.5', '1500m'],
    ['100m', '100m'],
    ['1000m', '1'],
    ['32Gi', '32Gi'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['1536', '1536'],
    // Without a suffix a quantity is decimal, however round in binary.
    ['2048', '2048'],
    ['512Ki', '512Ki'],
    ['1000Ki', '1000Ki'],
    // A binary quantity below 1024 or with a fraction prints in decimal.
    ['0.5Ki', '512'],
    ['1Ki', '1Ki'],
    ['1G', '1G'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['12e6', '12e6'],
    ['-1500m', '-1500m'],
    ['1n', '1n'],
    ['1.5n', '2n'],
    ['+5', '5'],
    ['1E', '1E'],
  ];
  for (const [input, want] of cases) assert.equal(q(input).toString(), want, `parse(${JSON.stringify(input)})`);
});

test('invalid quantities are rejected', () => {
  for (const bad of ['', 'abc', '1x', '1.2.3', '--1', '1 Gi', 'Gi']) assert.throws(() => q(bad), /invalid quantity/, bad);
});

test('sums keep the format of the left operand unless it is zero, as Quantity.Add', () => {
  assert.equal(q('32Gi').add(q('32Gi')).add(q('32Gi')).toString(), '96Gi');
  assert.equal(q('8').add(q('8')).add(q('8')).toString(), '24');
  assert.equal(q('110').add(q('110')).add(q('110')).toString(), '330');
  assert.equal(q('500').add(q('500')).toString(), '1k');
  assert.equal(q('1Gi').add(q('1G')).toString(), '2073741824');
  assert.equal(q('1G').add(q('1Gi')).toString(), '2073741824');
  assert.equal(Quantity.ZERO.add(q('1Gi')).toString(), '1Gi', 'a zero left operand takes the right format');
  assert.equal(q('4').sub(q('1500m')).toString(), '2500m');
  assert.equal(q('1Gi').sub(q('1Gi')).toString(), '0');
});

test('values round up, as Value and MilliValue do', () => {
  assert.equal(q('1500m').value(), 2n);
  assert.equal(q('1500m').milliValue(), 1500n);
  assert.equal(q('1.0001m').milliValue(), 2n);
  assert.equal(q('32Gi').value(), 34359738368n);
  assert.equal(Quantity.fromMilli(2500).toString(), '2500m');
  assert.equal(Quantity.fromInt(34359738368, 'BinarySI').toString(), '32Gi');
  assert.equal(Quantity.fromInt(2048, 'BinarySI').toString(), '2Ki');
  assert.equal(Quantity.fromInt(1000).toString(), '1k');
});

test('comparison is by value, whatever the notation', () => {
  assert.equal(q('1Gi').cmp(q('1073741824')), 0);
  assert.equal(q('1G').cmp(q('1Gi')), -1);
  assert.equal(q('2').cmp(q('1999m')), 1);
  assert.equal(JSON.stringify({ cpu: q('2000m') }), '{"cpu":"2"}');
});
