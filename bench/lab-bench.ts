/**
 * Bring-up and teardown time of the embedded lab (3 nodes and the lesson workloads), measured
 * over several runs. Prints a table; asserts nothing.   npm run bench:lab [-- --runs 7]
 */
import { parseArgs } from 'node:util';
import { formatTable } from '../support/cli/table.ts';
import { labDown, labUp } from '../support/cluster/netns/lab.ts';
import { formatMs, stats, timed } from './stats.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const LAB = 'pnbench';

const up: number[] = [];
const down: number[] = [];
let pods = 0;
await labDown(LAB);
for (let run = 0; run < runs; run++) {
  const [result, upMs] = await timed(() => labUp({ name: LAB }));
  pods = result.state.pods.length;
  const [, downMs] = await timed(() => labDown(LAB));
  up.push(upMs);
  down.push(downMs);
}
const row = (what: string, samples: number[]) => {
  const s = stats(samples);
  return [what, String(s.runs), formatMs(s.median), formatMs(s.min), formatMs(s.max)];
};
console.log(`embedded lab: 3 nodes, ${pods} pods (lesson workloads)`);
console.log(formatTable(['MEASURE', 'RUNS', 'MEDIAN', 'MIN', 'MAX'], [row('bring-up', up), row('teardown', down)]));
