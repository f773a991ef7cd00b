#!/usr/bin/env node
// Launcher: registers tsx in this process and runs control-plane/main.ts (one process, so
// signals and kill -9 reach the member itself). A bundled release comes later.
import { register } from 'tsx/esm/api';

register();
await import('../control-plane/main.ts');
