/**
 * What Felix programs for VXLAN, as iproute2 prints it in JSON: the device
 * (`ip -d -j link show vxlan.calico`), its neighbours (`ip -j neigh show dev vxlan.calico`)
 * and its forwarding database (`bridge -j fdb show dev vxlan.calico`).
 *
 * Checked against iproute2 6.1.0 (`ip -d -j link`, `ip -j neigh`, `bridge -j fdb`) on devices made
 * as Felix makes vxlan.calico (IPv4, `local`) and vxlan-v6.calico (IPv6: iproute2's print_opt
 * names the fields `local6`, `remote6`, `group6`), and a device with a `remote6`. A device
 * printing both the IPv4 and the IPv6 form of one field is refused.
 */
import { ParseError } from './errors.ts';
import { JsonFields, parseJsonArray, type JsonObject } from './json.ts';

export interface VxlanDevice {
  name: string;
  mtu: number;
  mac: string;
  flags: string[];
  operState: string;
  vni: number;
  /** The source address of the outer packets (`local`, or `local6` for an IPv6 underlay). */
  local: string | undefined;
  /** The one remote end of a point-to-point device (`remote`/`remote6`); Felix sets none. */
  remote: string | undefined;
  /** The parent device (`dev eth1`). */
  parent: string | undefined;
  port: number;
  learning: boolean;
}

export interface Neighbour {
  ip: string;
  mac: string | undefined;
  state: string[];
}

export interface FdbEntry {
  mac: string;
  dst: string | undefined;
  flags: string[];
  state: string;
  /** The bridge port or device the entry is on, and its bridge: listed when `bridge fdb show` is not given a device. */
  port?: string;
  master?: string;
}

export function parseVxlanLink(text: string): VxlanDevice {
  const parser = 'parseVxlanLink';
  const links = parseJsonArray(parser, text);
  // `ip -d -j link show <dev>` prints one device; several (`ip -d -j link show type vxlan`) are not one reading.
  if (links.length !== 1) throw new ParseError(parser, links.length === 0 ? 'no device' : `${links.length} devices, not one`, text);
  const link = links[0] as JsonObject;
  const fields = new JsonFields(parser, link);
  const linkinfo = link.linkinfo as JsonObject | undefined;
  if (linkinfo?.info_kind !== 'vxlan') throw new ParseError(parser, `not a vxlan device (kind ${String(linkinfo?.info_kind)})`, text);
  const info = (linkinfo.info_data ?? {}) as JsonObject;
  const data = new JsonFields(parser, info);
  const either = (key: string): string | undefined => {
    const [v4, v6] = [data.optString(key), data.optString(`${key}6`)];
    if (v4 !== undefined && v6 !== undefined) throw new ParseError(parser, `both "${key}" and "${key}6"`, text);
    return v4 ?? v6;
  };
  if (typeof info.learning !== 'boolean') throw new ParseError(parser, 'field "learning" is not a boolean', text);
  return {
    name: fields.string('ifname'),
    mtu: fields.number('mtu'),
    mac: fields.string('address'),
    flags: fields.strings('flags'),
    operState: fields.string('operstate'),
    vni: data.number('id'),
    local: either('local'),
    remote: either('remote'),
    parent: data.optString('link'),
    port: data.number('port'),
    learning: info.learning,
  };
}

export function parseNeighbours(text: string): Neighbour[] {
  return parseJsonArray('parseNeighbours', text).map((entry) => {
    const fields = new JsonFields('parseNeighbours', entry);
    return { ip: fields.string('dst'), mac: fields.optString('lladdr'), state: fields.strings('state') };
  });
}

export function parseFdb(text: string): FdbEntry[] {
  return parseJsonArray('parseFdb', text).map((entry) => {
    const fields = new JsonFields('parseFdb', entry);
    const port = fields.optString('ifname');
    const master = fields.optString('master');
    return {
      mac: fields.string('mac'),
      dst: fields.optString('dst'),
      flags: fields.strings('flags'),
      state: fields.optString('state') ?? '',
      ...(port === undefined ? {} : { port }),
      ...(master === undefined ? {} : { master }),
    };
  });
}
