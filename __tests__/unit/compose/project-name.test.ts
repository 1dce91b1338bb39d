import { defaultProjectName, replacedNameNotice, sanitizeProjectName, validateProjectName } from '../../../src/compose/project-name';

describe('project names', () => {
  it('sanitises to compose rules', () => {
    expect(sanitizeProjectName('My Repo.Name!')).toBe('my-repo-name');
    expect(sanitizeProjectName('__x')).toBe('x');
    expect(() => validateProjectName('Bad Name')).toThrow("Input 'project-name'");
  });
  it('derives a unique name per job run and step in Actions', () => {
    const env = { GITHUB_RUN_ID: '123', GITHUB_RUN_ATTEMPT: '2', GITHUB_JOB: 'Integration Tests', GITHUB_REPOSITORY: 'acme/Data.Pipeline', GITHUB_ACTION: '__acme_ec' };
    const name = defaultProjectName(env, 'ignored');
    expect(name).toMatch(/^data-pipeline-123-2-integration-tests-[0-9a-f]{6}$/);
    expect(defaultProjectName(env, 'x')).toBe(name);
    expect(defaultProjectName({ ...env, GITHUB_ACTION: '__acme_ec_2' }, 'x')).not.toBe(name);
    // Matrix legs share run and job id; two self-hosted runners on one engine have other names.
    expect(defaultProjectName({ ...env, RUNNER_NAME: 'host-1' }, 'x')).not.toBe(defaultProjectName({ ...env, RUNNER_NAME: 'host-2' }, 'x'));
    expect(validateProjectName(name)).toBe(name);
  });
  it('adds a random suffix outside Actions', () => {
    const a = defaultProjectName({}, 'My Stack');
    expect(a).toMatch(/^my-stack-[0-9a-f]{8}$/);
    expect(defaultProjectName({}, 'My Stack')).not.toBe(a);
  });
});

describe('replacedNameNotice', () => {
  it("speaks only when the project's own name (not its folder's) is replaced", () => {
    expect(replacedNameNotice('shop', 'ci-1-2', '/w/shop-repo')).toContain("The project names itself 'shop'");
    expect(replacedNameNotice('shop', 'ci-1-2', '/w/shop-repo')).toContain("this run names it 'ci-1-2'");
    expect(replacedNameNotice('shoprepo', 'ci-1-2', '/w/Shop.Repo')).toBeUndefined();
    expect(replacedNameNotice('shop', 'shop', '/w/x')).toBeUndefined();
    expect(replacedNameNotice(undefined, 'ci', '/w/x')).toBeUndefined();
  });
});
