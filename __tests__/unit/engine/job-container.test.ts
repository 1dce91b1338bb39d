import { parseInspect } from '../../../src/engine/container-facts';
import { ownContainerCandidates, pickOwnContainer } from '../../../src/engine/job-container';

const ID = 'ab12'.repeat(16);
const none = { dockerenv: false, mountinfo: '', cgroup: '', hostname: 'runner-1' };

describe('own container', () => {
  it('reads the id from the engine files mounted into the container', () => {
    const mountinfo = `591 572 254:1 /var/lib/docker/containers/${ID}/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda1 rw`;
    expect(ownContainerCandidates({ ...none, mountinfo })).toEqual([ID]);
  });
  it('reads a cgroup v1 path, and a short-id hostname once anything says it is a container', () => {
    expect(ownContainerCandidates({ ...none, cgroup: `12:memory:/docker/${ID}` })).toEqual([ID]);
    expect(ownContainerCandidates({ ...none, dockerenv: true, hostname: ID.slice(0, 12) })).toEqual([ID.slice(0, 12)]);
  });
  it('is nothing on a plain machine, whatever its host name looks like', () => {
    expect(ownContainerCandidates({ ...none, hostname: 'abcdefabcdef' })).toEqual([]);
  });
  it('is the candidate the engine knows', () => {
    const known = [parseInspect({ Id: ID, Name: '/job' })];
    expect(pickOwnContainer(['ffffffffffff', ID.slice(0, 12)], known)?.name).toBe('job');
    expect(pickOwnContainer(['ffffffffffff'], known)).toBeUndefined();
  });
});
