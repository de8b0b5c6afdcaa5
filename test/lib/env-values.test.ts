import { parseFlag, parseOrigins } from '../../lib/env-values';

describe('parseFlag: the one reading of a boolean setting', () => {
  it.each([
    ['true', true],
    [' TRUE ', true],
    ['1', true],
    ['False', false],
    ['0', false],
    ['', false],
    [undefined, false],
  ] as const)('reads %j as %s', (raw, expected) => {
    expect(parseFlag(raw)).toBe(expected);
  });

  it('gives the fallback for an unset value, and undefined for a spelling that is neither', () => {
    expect(parseFlag(undefined, true)).toBe(true);
    expect(parseFlag('  ', true)).toBe(true);
    for (const raw of ['yes', 'on', 'truee', '2', 'ja']) expect(parseFlag(raw)).toBeUndefined();
  });
});

describe('parseOrigins: CORS_ORIGINS', () => {
  it('reads origins separated by commas or spaces, as browsers send them', () => {
    expect(parseOrigins('https://App.Example.com, http://localhost:3000  https://x.example/')).toEqual([
      'https://app.example.com',
      'http://localhost:3000',
      'https://x.example',
    ]);
    expect(parseOrigins('')).toEqual([]);
    expect(parseOrigins(undefined)).toEqual([]);
  });

  it.each(['*', 'app.example.com', 'https://app.example.com/path', 'ftp://files.example', 'null'])(
    'refuses %j, naming it',
    (raw) => {
      expect(() => parseOrigins(raw)).toThrow(`"${raw}"`);
    },
  );
});
