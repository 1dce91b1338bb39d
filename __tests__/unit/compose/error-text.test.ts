import { errorText } from '../../../src/compose/error-text';

describe('the text of what was thrown', () => {
  it('is an error’s message, a string itself, anything else as JSON or text', () => {
    expect(errorText(new TypeError('bad'))).toBe('bad');
    expect(errorText('plain')).toBe('plain');
    expect(errorText({ code: 'E1' })).toBe('{"code":"E1"}');
    expect(errorText(undefined)).toBe('undefined');
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(errorText(loop)).toBe('[object Object]');
  });
});
