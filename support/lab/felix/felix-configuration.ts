/**
 * FelixConfiguration `default` as an operator-installed Calico v3.30 cluster holds it before
 * the learner touches it: what the operator and calico-node write, and no WireGuard field
 * (lesson 13 starts from there). The learner's merge patches are kept in the lab's state.
 */
export const OPERATOR_FELIX_CONFIGURATION: Readonly<Record<string, unknown>> = Object.freeze({
  bpfConnectTimeLoadBalancing: 'TCP',
  bpfHostNetworkedNATWithoutCTLB: 'Enabled',
  bpfLogLevel: '',
  floatingIPs: 'Disabled',
  healthPort: 9099,
  logSeverityScreen: 'Info',
  reportingInterval: '0s',
  vxlanPort: 4789,
  vxlanVNI: 4096,
});
