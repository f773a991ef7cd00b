// Benchmark entry point: `npm run bench -- <name> [flags]`. Each benchmark prints a table;
// with --json its last line is one JSON object with the results.
const BENCHES: Record<string, { about: string; load: () => Promise<{ run(argv: string[]): Promise<void> }> }> = {
  raft: { about: '3 Raft members in separate processes on loopback: commits/s, latency, failover', load: () => import('./bench/raft.js') },
  store: {
    about: '3-member Shoal store vs 3-member etcd 3.4 through the npm etcd3 client: put/get/watch, failover',
    load: () => import('./bench/store.js'),
  },
  api: {
    about: 'API server over the Shoal store vs over etcd 3.4 (3 API servers each): creates, gets, lists, CAS updates, watch fan-out',
    load: () => import('./bench/api.js'),
  },
  scheduler: {
    about: 'Scheduler vs an in-process API server: 1000/5000 simulated nodes, 10 000 pods at once + a stream; pods/s, create-to-bound p99',
    load: () => import('./bench/scheduler.js'),
  },
  agent: {
    about: 'The real shoal-agent on this Docker engine: create-to-Running p50/p99 for 50 pods on one node, agent RSS idle and with 50 pods',
    load: () => import('./bench/agent.js'),
  },
  proxy: {
    about: 'The service proxy on real iptables in its own netns: full sync of 1000 / 10 000 services × 5 endpoints, endpoint change → rule in place',
    load: () => import('./bench/proxy.js'),
  },
  transport: {
    about: 'GrpcTransport on loopback: small-message and snapshot throughput',
    // a script that runs when imported
    load: async () => {
      await import('./bench-transport.js');
      return { run: async () => {} };
    },
  },
};

const [name, ...rest] = process.argv.slice(2);
const bench = name === undefined ? undefined : BENCHES[name];
if (!bench) {
  process.stderr.write(`usage: npm run bench -- <name> [--json] [flags]\n`);
  for (const [n, b] of Object.entries(BENCHES)) process.stderr.write(`  ${n.padEnd(10)} ${b.about}\n`);
  process.exit(name === undefined || name === '--help' ? 0 : 2);
}
const mod = await bench.load();
await mod.run(rest);
