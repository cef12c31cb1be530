// Selector strings as `kubectl get -l` parses them (apimachinery labels.Parse), matched as
// Requirement.Matches: what kubectl selects, skiff selects; what kubectl refuses, with its words.
import { describe, expect, it } from 'vitest';
import { selectorMatches } from '../../../src/cli/views/get-resources.js';
import { parseSelectorString, SelectorParseError } from '../../../src/manifest/label-selector-string.js';

const web = { app: 'web', tier: 'front', env: 'prod', n: '5' };
const db = { app: 'db', tier: 'back' };

describe('parseSelectorString', () => {
  it.each([
    ['', true, true],
    ['app=web', true, false],
    ['app==web', true, false],
    ['app!=web', false, true],
    ['app', true, true],
    ['!app', false, false],
    ['!env', false, true],
    ['env', true, false],
    ['tier in (front,back)', true, true],
    ['tier in (front)', true, false],
    ['tier notin (front)', false, true],
    ['env notin (prod)', false, true],
    ['app=web,tier=front', true, false],
    ['app=web,tier=back', false, false],
    [' app = web , tier in ( front , x ) ', true, false],
    ['n>3', true, false],
    ['n<3', false, false],
    ['env=', false, false],
    ['env in (prod,)', true, false],
    ['env notin (,)', true, true],
    ['tier in ()', false, false],
    ['app.kubernetes.io/name!=x', true, true],
  ])('%j selects web: %s, db: %s', (sel, selectsWeb, selectsDb) => {
    const reqs = parseSelectorString(sel);
    expect(selectorMatches(reqs, web)).toBe(selectsWeb);
    expect(selectorMatches(reqs, db)).toBe(selectsDb);
  });

  it.each([
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (b c)', "unable to parse requirement: found 'c', expected: ',' or ')'"],
    ['a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['a in (b,=)', "unable to parse requirement: found '=', expected: ',', or identifier"],
    ['a=b,', "found '', expected: identifier after ','"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['a>b', 'the value must be an integer'],
    ['a=b$', 'unable to parse requirement: values[0][a]: Invalid value: "b$"'],
    ['-a=b', 'unable to parse requirement: Invalid value: "-a"'],
  ])('refuses %j: %s', (sel, message) => {
    expect(() => parseSelectorString(sel)).toThrow(SelectorParseError);
    expect(() => parseSelectorString(sel)).toThrow(message);
  });
});
