/**
 * npm run lab:up | lab:status | lab:down — the embedded lab by hand.
 * Exit codes: 0 done, 1 the lab failed to build, 2 the machine cannot run it (or bad usage).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runCli } from '../support/cli/main.ts';
import { UsageError } from '../support/cli/usage-error.ts';
import { FAULTS, UnknownFaultError } from '../support/lab/faults/faults.ts';
import { labApplyFaults, labDown, labUndoFaults, labUp } from '../support/lab/lab.ts';
import { ensurePreflight } from '../support/lab/preflight.ts';
import { formatLabStatus, noLabNamed } from '../support/lab/status.ts';
import { assertDnsLabel } from '../support/lab/naming.ts';
import { loadLabSpec } from '../support/lab/spec.ts';
import { listStates, readState, statePath } from '../support/lab/state.ts';
import { DEFAULT_TOPOLOGY, labNameFor, topologyDir } from '../support/topology/catalogue.ts';

const USAGE = `usage: npm run lab:up        [-- --name <lab>] [--topology <name>] [--fixtures <dir>] [--workers <n>] [--fault <name>]…
       npm run lab:status    [-- --name <lab>] [--topology <name>]
       npm run lab:down      [-- --name <lab>] [--topology <name>]   also clears a lab whose run crashed
       --topology names a folder of fixtures/topologies/ (default kind); its lab is <name>-<topology>
       (the default topology's is <name>), as npm run e2e names them
       npm run lab:fault     -- <fault>…              break a running lab on purpose
       npm run lab:fault     -- --undo [<fault>…]     undo the named faults (all, without names)
       npm run lab:fault     -- --list                the faults the lab knows
       npm run lab:preflight                          check the machine; as root, install what apt-get can`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: command === 'fault',
    options: {
      name: { type: 'string' },
      topology: { type: 'string' },
      fixtures: { type: 'string' },
      workers: { type: 'string' },
      fault: { type: 'string', multiple: true },
      undo: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0 && workers <= 250)) {
    throw new UsageError(`--workers takes a whole number from 0 to 250, got "${values.workers}"`);
  }
  if (values.name !== undefined) {
    try {
      assertDnsLabel('lab name (--name)', values.name);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const topology = values.topology ?? DEFAULT_TOPOLOGY;
  if (values.topology !== undefined) topologyDir(values.topology); // a usage error naming the known ones
  const baseName = values.name ?? (values.topology === undefined ? undefined : loadLabSpec({ fixturesDir: values.fixtures }).name);
  const name = baseName === undefined ? undefined : labNameFor(baseName, topology);
  const specOptions = {
    topology,
    fixturesDir: values.fixtures ?? (values.topology === undefined ? undefined : topologyDir(topology)),
    name,
    workers,
    faults: values.fault,
  };
  const labName = () => name ?? loadLabSpec(specOptions).name;

  switch (command) {
    case 'up': {
      await ensurePreflight((line) => console.log(line));
      const started = performance.now();
      const { state, created, cleared } = await labUp({ ...specOptions, keep: true });
      const ms = Math.round(performance.now() - started);
      if (cleared) console.log(cleared);
      console.log(created ? `lab ${state.name} is up (${ms} ms)` : `lab ${state.name} was already up; attached to it`);
      console.log(formatLabStatus(state));
      return 0;
    }
    case 'fault': {
      if (values.list) {
        for (const fault of FAULTS) console.log(`${fault.name.padEnd(20)} ${fault.description}`);
        return 0;
      }
      const name = labName();
      if (values.undo) {
        const state = await labUndoFaults(name, positionals);
        console.log(
          `lab ${name}: ${positionals.length ? `undid ${positionals.join(', ')}` : 'undid every fault'}; faults now: ${state.faults.join(', ') || 'none'}`,
        );
        return 0;
      }
      if (positionals.length === 0) throw new UsageError('name at least one fault (npm run lab:fault -- --list shows them)');
      const state = await labApplyFaults(name, positionals);
      console.log(`lab ${name}: faults now: ${state.faults.join(', ')} (undo with npm run lab:fault -- --undo)`);
      return 0;
    }
    case 'preflight': {
      await ensurePreflight((line) => console.log(line));
      console.log('preflight: this machine can run the embedded lab');
      return 0;
    }
    case 'status': {
      const names = name ? [name] : listStates();
      if (names.length === 0) {
        console.log('no embedded lab is running (npm run lab:up starts one)');
        return 0;
      }
      for (const name of names) {
        const state = readState(name);
        console.log(state ? formatLabStatus(state) : noLabNamed(name, listStates()));
      }
      return 0;
    }
    case 'down': {
      const name = labName();
      const hadState = existsSync(statePath(name));
      const report = await labDown(name);
      if (!hadState && report.namespaces === 0 && report.processes.length === 0) {
        console.log(`${noLabNamed(name, listStates())}; nothing removed`);
        return 0;
      }
      console.log(
        `lab ${name} is down: ${report.namespaces} namespace(s) removed${report.processes.length ? `, ${report.processes.length} process(es) ended` : ''}`,
      );
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

runCli(() => main(process.argv.slice(2)), { usage: USAGE, usageErrors: [UnknownFaultError] });
