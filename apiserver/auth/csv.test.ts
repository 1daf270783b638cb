import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvParseError, parseCsv } from './csv.js';

test('fields, quoting and escaped quotes', () => {
  assert.deepEqual(parseCsv('a,b,c\n"x,y","say ""hi""",\n'), [
    { line: 1, fields: ['a', 'b', 'c'] },
    { line: 2, fields: ['x,y', 'say "hi"', ''] },
  ]);
});

test('blank lines and comment lines are skipped; CRLF is a line end; spaces are kept', () => {
  const text = '# header\r\n\r\n a , b\r\n\n#tail';
  assert.deepEqual(parseCsv(text, { comment: '#' }), [{ line: 3, fields: [' a ', ' b'] }]);
  assert.deepEqual(parseCsv('#x,y\n'), [{ line: 1, fields: ['#x', 'y'] }], 'no comment character unless asked');
});

test('a quoted field may span lines; records keep their starting line', () => {
  assert.deepEqual(parseCsv('"multi\nline",z\nnext'), [
    { line: 1, fields: ['multi\nline', 'z'] },
    { line: 3, fields: ['next'] },
  ]);
});

test('malformed quoting is an error with its position', () => {
  const cases: Array<[string, number, number, RegExp]> = [
    ['ok\nab"c,d', 2, 3, /bare "/],
    ['x\n"abc"d', 2, 6, /extraneous or missing "/],
    ['"unterminated\n', 2, 1, /extraneous or missing "/],
  ];
  for (const [text, line, column, reason] of cases) {
    assert.throws(
      () => parseCsv(text),
      (err: unknown) => err instanceof CsvParseError && err.line === line && err.column === column && reason.test(err.message),
      JSON.stringify(text),
    );
  }
});
