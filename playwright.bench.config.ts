// Benchmarks (not tests): `bash scripts/bench-tti.sh` runs them against dist/.
import base from './playwright.config';
import { defineConfig } from '@playwright/test';

export default defineConfig({ ...base, testDir: 'bench', testMatch: '*.bench.ts', reporter: 'line' });
