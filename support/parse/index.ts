export { ParseError } from './errors.ts';
export { parseIpAddr, type Interface, type InterfaceAddress } from './ip-addr.ts';
export { parseIpRoutes, formatRoute, type Route, type Nexthop } from './ip-route.ts';
export { parseIpRouteGet, type RouteLookup } from './ip-route-get.ts';
export { parsePing, type PingResult, type PingReply } from './ping.ts';
export { parseTcpdump, parseTcpdumpSummary, isListening, type Packet, type LinkHeader, type TcpdumpSummary } from './tcpdump.ts';
export { parseResolvConf, type ResolvConf } from './resolv-conf.ts';
