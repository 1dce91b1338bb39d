import { decodeState, encodeState, RunState } from '../../../src/action/state';

describe('run state', () => {
  const s: RunState = {
    mode: 'ephemeral',
    project: { name: 'p', workingDirectory: '/w', files: ['a.yml'], envFiles: [], profiles: [] },
    post: { teardown: 'always', logs: 'always', logLines: 10, stopTimeoutSeconds: 0, downFlags: [], failOnExit: false, logsArtifact: '' },
    compose: { command: 'docker', baseArgs: ['compose'] },
  };
  it('round-trips', () => {
    expect(decodeState(encodeState(s))).toEqual({ ...s, creationStarted: false, outcome: undefined, watched: undefined });
    expect(decodeState(encodeState({ ...s, creationStarted: true, outcome: 'success' }))).toMatchObject({ creationStarted: true, outcome: 'success' });
  });
  it('is undefined when there is none, or it is not JSON, or lacks the project or the mode', () => {
    expect(decodeState('')).toBeUndefined();
    expect(decodeState('{nope')).toBeUndefined();
    expect(decodeState('{"mode":"ephemeral","projectName":"p"}')).toBeUndefined();
    expect(decodeState('{"mode":"ephemeral","project":{"name":""}}')).toBeUndefined();
    expect(decodeState('{"project":{"name":"p"}}')).toBeUndefined();
  });
  it("fills a missing setting with the input's default", () => {
    expect(decodeState('{"mode":"ephemeral","project":{"name":"p"},"post":{"logs":"never"}}')).toMatchObject({
      project: { name: 'p', workingDirectory: '.', files: [] },
      post: { teardown: 'always', logs: 'never', logLines: 200, stopTimeoutSeconds: 3, failOnExit: false, logsArtifact: '' },
    });
  });
});
