import { parseEventLine } from '../../../src/engine/engine-events';

describe('engine events', () => {
  it('reads health, die and start events', () => {
    const ev = parseEventLine(
      '{"status":"health_status: healthy","id":"abc","Type":"container","Action":"health_status: healthy","Actor":{"ID":"abc","Attributes":{}},"time":1,"timeNano":1500000000}',
    );
    expect(ev).toEqual({ id: 'abc', action: 'health_status', health: 'healthy', exitCode: undefined, timeMs: 1500 });
    expect(parseEventLine('{"Action":"die","Actor":{"ID":"abc","Attributes":{"exitCode":"3"}},"timeNano":0,"time":2}')).toMatchObject({ action: 'die', exitCode: 3, timeMs: 2000 });
    expect(parseEventLine('not json')).toBeUndefined();
  });
});
