#!/usr/bin/env node
// Launcher: registers tsx in this process and runs cli/main.ts (shoalctl). A bundled release
// comes later.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
