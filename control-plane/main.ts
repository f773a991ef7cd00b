// shoal-control-plane: runs one control-plane member. Today that is the cluster store alone
// (an etcd v3 compatible member; the API server joins it later). Flags use etcd's names; see
// `shoal-control-plane --help`.
//
// Exit codes: 0 after SIGTERM/SIGINT or after this member was removed from the cluster,
// 1 when it could not start or its storage failed, 2 for bad flags.
import { ConfigError, createLogger, loadConfig, StoreMember, USAGE } from './store/index.js';
import type { StoreConfig } from './store/index.js';

async function main(config: StoreConfig): Promise<void> {
  const log = createLogger(config.logLevel, { app: 'shoal-control-plane' });
  const member = await StoreMember.start(config, log);
  let exiting = false;
  const exit = (code: number, why: string): void => {
    if (exiting) return;
    exiting = true;
    log.info({ why }, 'stopping');
    const hard = setTimeout(() => process.exit(code), 15_000);
    hard.unref();
    member.stop().then(
      () => process.exit(code),
      (e: unknown) => {
        log.error({ err: (e as Error).message }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => exit(0, 'SIGTERM'));
  process.on('SIGINT', () => exit(0, 'SIGINT'));
  member.onRemovedFromCluster(() => exit(0, 'removed from the cluster'));
  member.node.onFailure((e) => {
    log.error({ err: e.message }, 'raft node failed; exiting');
    exit(1, 'raft failure');
  });
  member.ready.catch((e: unknown) => {
    if (!exiting) {
      log.error({ err: (e as Error).message }, 'member failed before serving clients');
      exit(1, 'start failed');
    }
  });
}

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
let config: StoreConfig;
try {
  config = loadConfig(argv);
} catch (e) {
  process.stderr.write(`shoal-control-plane: ${(e as Error).message}\n${e instanceof ConfigError ? USAGE + '\n' : ''}`);
  process.exit(e instanceof ConfigError ? 2 : 1);
}
main(config).catch((e: unknown) => {
  process.stderr.write(`shoal-control-plane: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
