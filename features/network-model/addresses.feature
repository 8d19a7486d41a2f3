@network-model
Feature: One address per pod, and ranges that never collide
  The Kubernetes network model gives every pod an IP of its own, and a cluster keeps its pod
  addresses, its Service addresses and its node network apart.

  @claim:NET-01
  Scenario: No two pods share an IP
    Then no two pods share an IP address

  @claim:NET-03
  Scenario: Pod CIDR, Service CIDR and node network do not overlap
    Then the pod CIDR, the Service CIDR and the node network do not overlap

  @claim:NET-09
  Scenario: No node's address block is close to exhaustion
    Then no IPAM block is more than 80% allocated
