import { execFileSync } from 'child_process';
import * as path from 'path';
import { leftovers, projectName, removeProject, runAction, servicesOutput } from '../helpers/engine';

// The flagship example's offline twin end to end: MariaDB whose port opens late, the Airflow
// stand-ins and myapp with short-form depends_on; a later step queries the database through the
// action's mysql:// output with a real client and fetches the webserver page.

const EXAMPLE = path.resolve(__dirname, '..', '..', 'examples', 'data-pipeline');

test('the data-pipeline example comes up, a later step queries it through the outputs, post removes it', async () => {
  const name = projectName('pipeline');
  let query = '';
  try {
    const result = await runAction({
      workspace: path.join(EXAMPLE, 'offline'),
      inputs: { 'project-name': name, build: 'true', timeout: '120' },
      between: async ({ outputs, env }) => {
        expect(env.DB_URL).toBe(outputs['db-url']);
        query = execFileSync(
          'docker',
          [
            'run',
            '--rm',
            '--network',
            'host',
            '-v',
            `${EXAMPLE}:/example:ro`,
            'ephemeral-compose-test/debian-data',
            'python3',
            '/example/query.py',
            outputs['db-url'],
            outputs['webserver-url'],
          ],
          { encoding: 'utf8' },
        );
      },
    });
    expect(result.main.errors).toEqual([]);
    expect(result.main.outcome).toBe('success');
    expect(result.main.outputs['db-url']).toMatch(/^mysql:\/\/root:example@localhost:\d+\/airflow$/);
    expect(result.main.output).not.toContain('root:example@');
    expect(query).toMatch(/events written by myapp: \d+ rows/);
    expect(query).toContain("shows the scheduler's runs of example_pipeline");
    const services = servicesOutput(result);
    expect(Object.fromEntries(Object.entries(services).map(([k, v]) => [k, v.state]))).toEqual({ db: 'ready', myapp: 'ready', scheduler: 'ready', webserver: 'ready' });
    expect(leftovers(name)).toEqual([]);
  } finally {
    removeProject(name);
  }
});
