/**
 * The CoreDNS stand-in (server.ts) as one plain JavaScript file, built once per process with
 * esbuild (which tsx itself runs on): every lab starts two of these servers, and a Node child
 * that loads tsx and transforms the model's modules costs about five times the CPU of one that
 * loads a ready file — on a machine bringing nine labs up at once, that was seconds of each
 * lab's bring-up. The file goes into the lab's own files, so teardown removes it.
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));
/** The bundle is ESM; its CommonJS dependencies (dns-packet) still require Node's built-ins. */
const REQUIRE_SHIM = "import { createRequire as __podnetRequire } from 'node:module'; const require = __podnetRequire(import.meta.url);";

let bundled: Promise<string> | undefined;

/** The server's code, bundled on first use (started early by whoever knows a lab is coming). */
export function dnsServerCode(): Promise<string> {
  bundled ??= build({
    entryPoints: [SERVER],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    banner: { js: REQUIRE_SHIM },
  }).then((result) => {
    const file = result.outputFiles[0];
    if (!file) throw new Error(`esbuild produced no output for ${SERVER}`);
    return file.text;
  });
  return bundled;
}

/** The bundled server in `dir`, written there unless it is already (whole: renamed into place). */
export async function writeDnsServer(dir: string): Promise<string> {
  const path = join(dir, 'coredns-server.mjs');
  const code = await dnsServerCode();
  if (!existsSync(path)) {
    writeFileSync(`${path}.${process.pid}`, code);
    renameSync(`${path}.${process.pid}`, path);
  }
  return path;
}
