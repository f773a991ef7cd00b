#!/usr/bin/env node
// Launcher: registers tsx in this process and runs node-agent/main.ts (one process, so signals
// and kill -9 reach the agent itself). A bundled release comes later.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../node-agent/main.ts');
await main(process.argv.slice(2));
