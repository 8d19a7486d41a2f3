/**
 * How busybox's nc_bloaty reads its command line, as Alpine builds it (main/busybox/busyboxconfig:
 * CONFIG_NC=y, NC_SERVER=y, NC_EXTRA=y, NC_110_COMPAT=y), written from busybox 1.36.1
 * networking/nc_bloaty.c (nc_main: getopt32 "np:s:ubvw:+lki:o:z", at most two parameters):
 *  - the listening port comes only from `-p` (else 0: the kernel picks a random one);
 *  - the local address only from `-s`;
 *  - positional HOST PORT name the peer: the one to connect to, or in listen mode the only
 *    peer accepted ("connect from wrong ip/port ... ignored");
 *  - musl's getopt (Alpine) stops at the first non-option argument.
 * Used where the real binary is not at hand; test/kind/netcat.test.ts checks this model
 * against transcripts recorded from a real build.
 */

export interface NcBloatyInvocation {
  mode: 'listen' | 'connect';
  /** undefined: every address. */
  localAddress: string | undefined;
  /** 0: a random port. */
  localPort: number;
  peer: { host: string; port: number } | undefined;
  verbose: number;
  zeroIo: boolean;
  waitSeconds: number | undefined;
}

const FLAGS = new Set(['n', 'u', 'b', 'v', 'l', 'k', 'z']);
const WITH_ARGUMENT = new Set(['p', 's', 'w', 'i', 'o']);

export class NcUsageError extends Error {}

export function parseNcBloaty(argv: string[]): NcBloatyInvocation {
  if (argv[0] !== 'nc') throw new NcUsageError(`not an nc command: ${argv[0]}`);
  const values = new Map<string, string>();
  const counts = new Map<string, number>();
  let index = 1;
  for (; index < argv.length; index++) {
    const word = argv[index] as string;
    if (word === '--') {
      index++;
      break;
    }
    if (!word.startsWith('-') || word === '-') break;
    for (let at = 1; at < word.length; at++) {
      const letter = word[at] as string;
      if (FLAGS.has(letter)) counts.set(letter, (counts.get(letter) ?? 0) + 1);
      else if (WITH_ARGUMENT.has(letter)) {
        const value = at + 1 < word.length ? word.slice(at + 1) : argv[++index];
        if (value === undefined) throw new NcUsageError(`option -${letter} needs an argument`);
        values.set(letter, value);
        break;
      } else throw new NcUsageError(`invalid option -- '${letter}'`);
    }
  }
  const params = argv.slice(index);
  if (params.length > 2) throw new NcUsageError('at most two parameters (HOST PORT)');
  const port = (text: string | undefined) => {
    if (text === undefined) return 0;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new NcUsageError(`bad port '${text}'`);
    return n;
  };
  const listens = (counts.get('l') ?? 0) > 0;
  const peer = params[0] === undefined ? undefined : { host: params[0], port: port(params[1]) };
  if (!listens && peer === undefined) throw new NcUsageError('connect mode needs HOST PORT');
  const wait = values.get('w');
  return {
    mode: listens ? 'listen' : 'connect',
    localAddress: values.get('s'),
    localPort: port(values.get('p')),
    peer,
    verbose: counts.get('v') ?? 0,
    zeroIo: counts.has('z'),
    waitSeconds: wait === undefined ? undefined : Number(wait),
  };
}
