// The guard every test runs under: connections go to loopback only (the local world), never out.
import net from 'node:net';
import { describe, expect, it } from 'vitest';

describe('the loopback-only guard', () => {
  it('refuses a connection to a host outside this machine before any packet leaves', () => {
    const socket = new net.Socket();
    expect(() => socket.connect(443, 'api.github.com')).toThrow(/only loopback is allowed/);
    expect(() => socket.connect({ host: '140.82.112.3', port: 443 })).toThrow(/only loopback is allowed/);
    socket.destroy();
  });

  it('lets loopback connections through', async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve();
      });
      socket.on('error', reject);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
