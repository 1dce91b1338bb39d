// The runner-faithful harness is itself tested: its file-command and post-if rules are the ones
// every engine test relies on.
import { evaluateCondition, inputEnvName, parseKeyValueFile } from '../../harness/run-action';

describe('harness', () => {
  it('reads NAME=VALUE and NAME<<DELIM file commands', () => {
    expect(parseKeyValueFile('a=1\nb<<EOF_x\nline 1\nline=2\nEOF_x\nc=x=y\n')).toEqual({ a: '1', b: 'line 1\nline=2', c: 'x=y' });
    expect(() => parseKeyValueFile('b<<EOF\nno end')).toThrow('no closing delimiter');
  });
  it('names inputs as the runner does', () => {
    expect(inputEnvName('compose-file')).toBe('INPUT_COMPOSE-FILE');
    expect(inputEnvName('my input')).toBe('INPUT_MY_INPUT');
  });
  it('evaluates post-if', () => {
    expect(evaluateCondition('always()', 'failure')).toBe(true);
    expect(evaluateCondition('success()', 'failure')).toBe(false);
    expect(evaluateCondition('${{ failure() || cancelled() }}', 'cancelled')).toBe(true);
    expect(evaluateCondition('!cancelled() && success()', 'success')).toBe(true);
    expect(() => evaluateCondition('env.X', 'success')).toThrow('cannot evaluate');
  });
});
