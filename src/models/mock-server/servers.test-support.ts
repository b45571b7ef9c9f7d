import { afterEach } from 'vitest';
import { type MockServer, type MockServerOptions, startMockServer } from './server.js';

/**
 * For tests that start mock servers: returns a `start` function, and closes every server it started
 * after each test (registered where it is called: at file level or inside a `describe`).
 */
export function useMockServers(): (options?: MockServerOptions) => Promise<MockServer> {
  const servers: MockServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return async (options = {}) => {
    const server = await startMockServer(options);
    servers.push(server);
    return server;
  };
}
