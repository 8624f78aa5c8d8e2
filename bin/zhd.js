#!/usr/bin/env node
// 智慧督 command-line tool. Runs the TypeScript sources directly through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
