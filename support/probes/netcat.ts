/**
 * netcat command forms that mean the same to every `nc` the suite meets: busybox's nc_bloaty
 * as Alpine builds it (CONFIG_NC_SERVER, NC_EXTRA, NC_110_COMPAT: the multitool image has no
 * netcat package) and Debian's netcat-openbsd (the embedded lab, this machine).
 *
 * nc_bloaty (busybox 1.36.1 networking/nc_bloaty.c) takes the port to listen on only from
 * `-p` and the address only from `-s`; positional `ADDR PORT` name the one peer it will accept,
 * so `nc -l 127.0.0.1 PORT` listens on a random port while still printing "listening on".
 * `-n` keeps netcat-openbsd from a name lookup that, without DNS, swallows its "Listening on"
 * line. Checked against both real binaries: test/kind/netcat.test.ts.
 */

/** Both flavours print this on stderr with `-v` once the socket listens. */
export const NC_LISTENING = /[Ll]istening on/;

/** Listens on `address:port` (TCP) until the first client has come and gone. */
export function ncListenArgv(address: string, port: number): string[] {
  return ['nc', '-v', '-n', '-l', '-s', address, '-p', String(port)];
}

/** Connects to `address:port`, sends nothing, exits 0 only when the connection was accepted. */
export function ncConnectArgv(address: string, port: number, waitSeconds: number): string[] {
  return ['nc', '-z', '-v', '-n', '-w', String(waitSeconds), address, String(port)];
}
