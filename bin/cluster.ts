/**
 * Provision the course's Kind + Calico cluster, or delete it.
 *   npm run cluster:up -- [--name podnet] [--k8s v1.28.0] [--calico v3.30.0] [--encapsulation …] [--dry-run]
 *   npm run cluster:down -- [--name podnet]
 * `--help` lists every option. Exit codes: 0 done, 1 a step failed, 2 usage or environment.
 */
import { main } from '../support/provision/cli.ts';

process.exitCode = await main(process.argv.slice(2));
