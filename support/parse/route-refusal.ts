/**
 * The kernel's refusal of `ip route get`: a destination covered by a blackhole route gives
 * EINVAL ("Invalid argument"), an unreachable route EHOSTUNREACH, a prohibit route EACCES,
 * no route at all ENETUNREACH. That is the network's answer, not a failure to look. Checked
 * against iproute2 6.1.0's `ip route get` on Linux 6.18 (a blackhole route's refusal).
 */
const REFUSALS = ['Invalid argument', 'No route to host', 'Permission denied', 'Network is unreachable'];

/** The kernel's words when `ip route get` was refused (from its stderr), else undefined. */
export function parseRouteRefusal(stderr: string): string | undefined {
  const line = stderr.split('\n').find((candidate) => /^RTNETLINK answers: /.test(candidate.trim()));
  const said = line?.trim().slice('RTNETLINK answers: '.length);
  return said && REFUSALS.includes(said) ? said : undefined;
}
