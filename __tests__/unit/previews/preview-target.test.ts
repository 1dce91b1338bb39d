import { branchSlug, previewProjectName, previewTarget } from '../../../src/previews/preview-target';

const base = { GITHUB_REPOSITORY: 'acme/Data.Stack', GITHUB_SHA: 'merge0', GITHUB_SERVER_URL: 'https://github.example', GITHUB_RUN_ID: '42' };

describe('previewTarget', () => {
  it('takes the number and head commit of a pull request from the event payload', () => {
    const t = previewTarget(
      { ...base, GITHUB_EVENT_NAME: 'pull_request_target', GITHUB_HEAD_REF: 'feat/x' },
      { number: 7, pull_request: { number: 7, head: { sha: 'head7', ref: 'feat/x' } } },
    );
    expect(t).toMatchObject({ pr: 7, commit: 'head7', branch: 'feat/x', event: 'pull_request_target', runUrl: 'https://github.example/acme/Data.Stack/actions/runs/42' });
    expect(previewProjectName(t, 'ws')).toBe('data-stack-pr-7');
  });

  it('is a branch preview on other events, even with a number in the payload', () => {
    const t = previewTarget({ ...base, GITHUB_EVENT_NAME: 'push', GITHUB_REF_NAME: 'Release/2.0_RC' }, { number: 3 });
    expect(t.pr).toBeUndefined();
    expect(t.commit).toBe('merge0');
    expect(previewProjectName(t, 'ws')).toBe('data-stack-release-2-0-rc');
  });

  it('needs a pull request or a branch to name the project', () => {
    expect(() => previewProjectName(previewTarget({}, undefined), 'ws')).toThrow("set 'project-name'");
    expect(previewProjectName(previewTarget({ GITHUB_REF_NAME: 'main' }, null), 'My Work')).toBe('my-work-main');
  });

  it('slugs branches for host names', () => {
    expect(branchSlug('--Feature/ÜBER_cool--')).toBe('feature-ber-cool');
  });
});
