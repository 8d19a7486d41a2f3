/**
 * What Felix programs for VXLAN, as iproute2 prints it in JSON: the device
 * (`ip -d -j link show vxlan.calico`), its neighbours (`ip -j neigh show dev vxlan.calico`)
 * and its forwarding database (`bridge -j fdb show dev vxlan.calico`).
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
  /** The source address of the outer packets (`local`). */
  local: string | undefined;
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
}

export function parseVxlanLink(text: string): VxlanDevice {
  const parser = 'parseVxlanLink';
  const [link] = parseJsonArray(parser, text);
  if (!link) throw new ParseError(parser, 'no device', text);
  const fields = new JsonFields(parser, link);
  const linkinfo = link.linkinfo as JsonObject | undefined;
  if (linkinfo?.info_kind !== 'vxlan') throw new ParseError(parser, `not a vxlan device (kind ${String(linkinfo?.info_kind)})`, text);
  const data = new JsonFields(parser, (linkinfo.info_data ?? {}) as JsonObject);
  return {
    name: fields.string('ifname'),
    mtu: fields.number('mtu'),
    mac: fields.string('address'),
    flags: fields.strings('flags'),
    operState: fields.string('operstate'),
    vni: data.number('id'),
    local: data.optString('local'),
    parent: data.optString('link'),
    port: data.number('port'),
    learning: (linkinfo.info_data as JsonObject).learning === true,
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
    return {
      mac: fields.string('mac'),
      dst: fields.optString('dst'),
      flags: fields.strings('flags'),
      state: fields.optString('state') ?? '',
    };
  });
}
