import { ContainerBook } from '../../../src/readiness/container-book';
import { facts } from '../../helpers/inspect-sample';

describe('the containers a wait follows', () => {
  const book = () => new ContainerBook(['db', 'web', 'off'], { db: ['d1'], web: ['w1', 'w2'], stray: ['s1'] });

  it('follows the containers of the planned services, by id and by service', () => {
    const b = book();
    expect([...b.tracked.keys()]).toEqual(['d1', 'w1', 'w2']);
    expect(b.get('w2')).toMatchObject({ service: 'web', restarts: 0, ready: false });
    expect(b.of('web').map((t) => t.id)).toEqual(['w1', 'w2']);
    expect(b.idsOf('off')).toEqual([]);
  });

  it('names the services compose created no container for', () => {
    expect(book().without(['db', 'web', 'off'])).toEqual(['off']);
  });

  it('keeps what an inspect says, and returns the facts of the one service', () => {
    const b = book();
    const seen = b.record([facts({ id: 'w1', name: 'p-web-1' }), facts({ id: 'd1', name: 'p-db-1' }), facts({ id: 'elsewhere' })], 'web');
    expect(seen.map((f) => f.name)).toEqual(['p-web-1']);
    expect(b.get('d1')?.facts?.name).toBe('p-db-1');
  });
});
