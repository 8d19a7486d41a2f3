import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCniConfigFiles, parseCniPluginTypes, parseExecutables, parseProxyArp } from '../../support/parse/node-config.ts';
import { parseRouteRefusal } from '../../support/parse/route-refusal.ts';
import { parseIpRoutes } from '../../support/parse/ip-route.ts';
import { mostSpecific } from '../../support/probes/routes.ts';
import { assertParseError, fixture } from './helpers.ts';

test('proxy ARP per interface: JSON and text give the same answer, cali interfaces on', () => {
  const json = parseProxyArp(fixture('netns-node-netconf.json'));
  assert.deepEqual(json, parseProxyArp(fixture('netns-node-netconf.txt')));
  assert.equal(json.eth0, false);
  assert.equal(json['vxlan.calico'], false);
  const cali = Object.entries(json).filter(([name]) => name.startsWith('cali'));
  assert.equal(cali.length, 4);
  assert.ok(cali.every(([, on]) => on));
  assertParseError(() => parseProxyArp('inet eth0 forwarding on'), /proxy_neigh/);
});

test('CNI: the configurations in order, the plugins a conflist names, the executables', () => {
  assert.deepEqual(parseCniConfigFiles(fixture('netns-node-ls-cni-net-d.txt')), ['10-calico.conflist']);
  assert.deepEqual(parseCniConfigFiles('calico-kubeconfig\n99-x.conf\n10-calico.conflist\n05-bridge.conf\n'), [
    '05-bridge.conf',
    '10-calico.conflist',
    '99-x.conf',
  ]);
  assert.deepEqual(parseCniPluginTypes(fixture('netns-node-10-calico.conflist')), ['calico', 'calico-ipam', 'bandwidth', 'portmap']);
  assert.deepEqual(parseExecutables(fixture('netns-node-ls-l-cni-bin.txt')), ['bandwidth', 'calico', 'calico-ipam', 'loopback', 'portmap']);
  assert.deepEqual(
    parseExecutables(
      'total 4\n-rw-r--r-- 1 root root 144 Nov 26 13:58 calico\nlrwxrwxrwx 1 root root 6 Nov 26 13:58 calico-ipam -> calico\n',
    ),
    ['calico-ipam'],
  );
  assertParseError(() => parseCniPluginTypes('{"name":'), /not JSON/);
  assertParseError(() => parseExecutables('calico\n'), /ls -l/);
});

test('a blackholed destination: the kernel refuses, and the covering routes name the blackhole', () => {
  assert.equal(parseRouteRefusal(fixture('netns-node-ip-route-get-blackhole.stderr.txt')), 'Invalid argument');
  assert.equal(parseRouteRefusal('Error: any valid prefix is expected rather than "x".'), undefined);
  const covering = parseIpRoutes(fixture('netns-node-ip-route-match-blackhole.json'));
  assert.equal(mostSpecific(covering)?.type, 'blackhole');
  assert.equal(mostSpecific(covering)?.prefix, '10.99.0.0/26');
});
