/**
 * A pod's secondary interface as `ip -d -j link show <if>` prints it: its kind and mode
 * (`macvlan mode bridge`, `ipvlan mode l2`), its parent's ifindex in the node (`net1@if4`), MTU,
 * MAC and flags. Anything else than one such link is an error. Checked against iproute2 6.1.0's
 * `ip -d -j link show` of a macvlan made by the reference CNI plugin (containernetworking-plugins).
 */
import { ParseError } from './errors.ts';
import { JsonFields, parseJsonArray, type JsonObject } from './json.ts';

const PARSER = 'parseSecondaryLink';

export interface SecondaryLink {
  name: string;
  /** `macvlan`, `ipvlan`, or whatever `linkinfo.info_kind` says. */
  kind: string;
  /** `bridge`, `private`, `l2`, `l3`… */
  mode: string | undefined;
  /** The parent's ifindex in the namespace the link came from (`@ifN`). */
  parentIndex: number | undefined;
  mtu: number;
  mac: string;
  flags: string[];
}

export function parseSecondaryLink(text: string): SecondaryLink {
  const links = parseJsonArray(PARSER, text);
  if (links.length !== 1) throw new ParseError(PARSER, `expected one link, got ${links.length}`, text);
  const link = links[0] as JsonObject;
  const fields = new JsonFields(PARSER, link);
  const linkinfo = link.linkinfo as JsonObject | undefined;
  if (!linkinfo || typeof linkinfo.info_kind !== 'string') throw new ParseError(PARSER, 'no linkinfo.info_kind (run ip -d)', text);
  const data = (linkinfo.info_data ?? {}) as JsonObject;
  return {
    name: fields.string('ifname'),
    kind: linkinfo.info_kind,
    mode: typeof data.mode === 'string' ? data.mode : undefined,
    parentIndex: fields.optNumber('link_index'),
    mtu: fields.number('mtu'),
    mac: fields.string('address'),
    flags: fields.strings('flags'),
  };
}
