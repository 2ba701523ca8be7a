import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { holdsSocket, listeningInodes, takesLoopback, tcpListeners } from './sockets.js';

const TABLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:A9DF 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 131977 1 00000000dee19224 100 0 0 10 0
   1: 00000000:A9DF 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 131978 1 00000000dee19224 100 0 0 10 0
   2: 0100007F:A9DF 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 131979 1 00000000dee19224 100 0 0 10 0
   3: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 131980 1 00000000dee19224 100 0 0 10 0
`;

const listen = (): Promise<{ srv: Server; port: number }> =>
  new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => resolve({ srv, port: (srv.address() as { port: number }).port }));
  });

describe('listening sockets', () => {
  it('finds the listeners of a port in a /proc/net/tcp table, not its connections', () => {
    expect(listeningInodes(TABLE, 0xa9df)).toEqual([131977, 131978]);
    expect(listeningInodes(TABLE, 8080)).toEqual([131980]);
    expect(listeningInodes(TABLE, 1)).toEqual([]);
    expect(listeningInodes('', 1)).toEqual([]);
  });

  it("tells this process's listening socket apart from another process's", async () => {
    const { srv, port } = await listen();
    try {
      const inodes = new Set(tcpListeners(port));
      expect(inodes.size).toBe(1);
      expect(holdsSocket(process.pid, inodes)).toBe(true);
      expect(holdsSocket(process.ppid, inodes)).toBe(false);
      expect(holdsSocket(2 ** 30, inodes)).toBe(false);
    } finally {
      await new Promise((r) => srv.close(r));
    }
    expect(tcpListeners(port)).toEqual([]);
  });

  it('finds a listener however long the table is (it spans many pages once a machine has many sockets)', async () => {
    // Each line is 150 bytes: 200 listeners make the table far longer than one read of /proc returns.
    const many = await Promise.all(Array.from({ length: 200 }, () => listen()));
    try {
      const missed = many.filter(({ port }) => tcpListeners(port).length === 0).map(({ port }) => port);
      expect(missed).toEqual([]);
    } finally {
      await Promise.all(many.map(({ srv }) => new Promise((r) => srv.close(r))));
    }
  });
});

describe('loopback listeners', () => {
  const SIX = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 7001 1
   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 7002 1
`;
  it('keeps only the addresses a connection to 127.0.0.1 can reach', () => {
    const TEN = TABLE.replace('3: 0100007F:1F90', '3: 0500000A:1F90');
    const takes = takesLoopback;
    expect(listeningInodes(TABLE, 8080, takes)).toEqual([131980]);
    // 10.0.0.5:8080 takes no connection to 127.0.0.1:8080.
    expect(listeningInodes(TEN, 8080, takes)).toEqual([]);
    // [::]:8080 does (dual stack); [::1]:8080 does not.
    expect(listeningInodes(SIX, 8080, takes)).toEqual([7001]);
  });
});
