import { ContainerFacts, parseInspect } from '../../src/engine/container-facts';

// Trimmed from `docker inspect` on Engine 20.10.
export const INSPECT = {
  Id: 'abc123',
  Name: '/proj_db_1',
  RestartCount: 0,
  State: { Status: 'running', ExitCode: 0, Health: { Status: 'starting', Log: [{ Output: 'mysqld is not ready\n' }] } },
  Config: {
    Image: 'mariadb:local',
    Labels: { 'com.docker.compose.service': 'db', 'com.docker.compose.project': 'proj' },
    ExposedPorts: { '3306/tcp': {}, '33060/tcp': {}, '53/udp': {} },
    Healthcheck: { Test: ['CMD-SHELL', 'mysqladmin ping'], Timeout: 5000000000 },
  },
  HostConfig: { NetworkMode: 'proj_default', RestartPolicy: { Name: 'on-failure' } },
  NetworkSettings: {
    Ports: {
      '3306/tcp': [
        { HostIp: '0.0.0.0', HostPort: '49153' },
        { HostIp: '::', HostPort: '49153' },
      ],
      '33060/tcp': null,
    },
    Networks: { proj_default: { IPAddress: '172.18.0.2' } },
  },
};

/** The sample as parsed, with some facts replaced. */
export const facts = (patch: Partial<ContainerFacts> = {}): ContainerFacts => ({ ...parseInspect(INSPECT), ...patch });
