// The cold bench's ideal, against which its target is set: each image fetched in the order the
// stack needs it, one after the other over the one link; each service started once its image is
// in and what it depends on is ready.
import { ideal } from '../../bench/cold';

describe('the cold bench’s ideal', () => {
  const ready = { db: 4000, migrate: 500, webserver: 800, scheduler: 300 };

  it('starts db when its image is in, and the rest once db is ready where their images came first', () => {
    // db in at 1 s, ready at 5 s; the one-shot's image in at 1.5 s, so migrate waits for db: 5.5 s;
    // web's in at 3.5 s, before migrate is done: webserver ready at 6.3 s.
    expect(ideal({ db: 1000, oneshot: 500, web: 2000 }, ready)).toBe(6300);
  });

  it('waits for a late image: the web image is fetched once for both services that use it', () => {
    // db ready at 7 s (3 s pull), migrate at 7.5 s; web's image in at 3 + 1 + 10 = 14 s.
    expect(ideal({ db: 3000, oneshot: 1000, web: 10000 }, ready)).toBe(14800);
  });

  it('counts the settle window of a service judged by running from its start, and no dependent waits for it', () => {
    // As above; the scheduler, started at 14 s, is settled at 17 s.
    expect(ideal({ db: 3000, oneshot: 1000, web: 10000 }, ready, { scheduler: 3000 })).toBe(17000);
    // db's window (till 6 s) ends after it is ready (at 5 s) but migrate starts at 5 s all the same.
    expect(ideal({ db: 1000, oneshot: 500, web: 2000 }, ready, { db: 5000 })).toBe(6300);
  });
});
