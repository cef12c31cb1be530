// kubectl's JSONPath template dialect (client-go/util/jsonpath), as `get -o jsonpath=` runs it.
import { describe, expect, it } from 'vitest';
import { JsonPathError, renderJsonPath } from '../../../src/cli/views/jsonpath.js';

const data = {
  kind: 'List',
  items: [
    { metadata: { name: 'a', labels: { 'app.kubernetes.io/name': 'web', tier: 'front' } }, n: 1, ok: true },
    { metadata: { name: 'b', labels: { tier: 'back' } }, n: 2, ok: false },
    { metadata: { name: 'c', labels: {} }, n: 3, ok: true },
  ],
};

describe('renderJsonPath', () => {
  it.each([
    ['{.kind}', 'List'],
    ['{$.kind}', 'List'],
    ['kind={.kind}!', 'kind=List!'],
    ['{.items[*].metadata.name}', 'a b c'],
    ['{.items[0].metadata.name}', 'a'],
    ['{.items[-1].metadata.name}', 'c'],
    ['{.items[0:2].metadata.name}', 'a b'],
    ['{.items[1:].metadata.name}', 'b c'],
    ['{.items[::2].metadata.name}', 'a c'],
    ['{.items[0,2].metadata.name}', 'a c'],
    ['{.items[?(@.metadata.name=="b")].n}', '2'],
    ["{.items[?(@.metadata.name!='b')].n}", '1 3'],
    ['{.items[?(@.n>1)].metadata.name}', 'b c'],
    ['{.items[?(@.n<=2)].metadata.name}', 'a b'],
    ['{.items[?(@.ok==true)].metadata.name}', 'a c'],
    ['{.items[?(@.metadata.labels.tier)].metadata.name}', 'a b'],
    ['{.items[0].metadata.labels.app\\.kubernetes\\.io/name}', 'web'],
    ["{.items[0].metadata.labels['app.kubernetes.io/name']}", 'web'],
    ['{..name}', 'a b c'],
    ['{.items[*].n}', '1 2 3'],
    ['{.items[0].ok}', 'true'],
    ['{.items[1].metadata}', '{"name":"b","labels":{"tier":"back"}}'],
    ['{.items[2].metadata.labels}', '{}'],
    ['{.missing}', ''],
    ['{.items[7].n}', ''],
    ['{range .items[*]}{.metadata.name}{"\\t"}{.n}{"\\n"}{end}', 'a\t1\nb\t2\nc\t3\n'],
    ['{range .items[?(@.ok==true)]}[{.metadata.name}]{end}', '[a][c]'],
    ['{range .items[*]}{range .metadata.labels.*}<{@}>{end}{end}', '<web><front><back>'],
    ["{'literal'}", 'literal'],
    ['{"a}b"}', 'a}b'],
  ])('%s', (template, out) => {
    expect(renderJsonPath(template, data)).toBe(out);
  });

  it.each([
    ['{.kind', 'unclosed action'],
    ['{range .items[*]}{.n}', 'unclosed range'],
    ['{end}', 'not in range'],
    ['{.items[x]}', 'invalid array index'],
    ['{.items[0}', 'unterminated array'],
  ])('refuses %s', (template, message) => {
    expect(() => renderJsonPath(template, data)).toThrow(JsonPathError);
    expect(() => renderJsonPath(template, data)).toThrow(message);
  });
});
