@lesson-02
Feature: The pod's side of the network
  Inside its own network namespace a pod sees one interface, eth0: a /32 address from
  the Calico pool, the pool's MTU, and a routing table that sends everything to
  Calico's link-local gateway 169.254.1.1.

  Background:
    Given a multitool pod on a worker node, called "pod"

  @claim:L02-03
  Scenario: eth0 holds a single /32 address
    Then eth0 of "pod" holds exactly one IPv4 address, with prefix length /32

  @claim:L02-04
  Scenario: The pod's address comes from the Calico IP pool
    Then the address of "pod" lies inside the Calico IP pool

  @claim:L02-05
  Scenario: eth0 has the pool's MTU, the node's less the encapsulation overhead (50 bytes for VXLAN)
    Then eth0 of "pod" has the IP pool's MTU
    And the MTU of eth0 of "pod" is its node's eth0 MTU less the IP pool's encapsulation overhead

  @claim:L02-06
  Scenario: eth0 is one end of a veth pair that ends on the node
    Then eth0 of "pod" is one end of a veth pair whose other end is on its node

  @claim:L02-07
  Scenario: The pod routes everything through Calico's link-local gateway
    Then the routing table of "pod" is exactly:
      | default via 169.254.1.1 dev eth0 |
      | 169.254.1.1 dev eth0 scope link  |

  @claim:L02-08
  Scenario: The pod resolves names through the cluster DNS Service
    Then "pod" uses the cluster DNS Service IP as its only nameserver
    And the DNS search list of "pod" starts with "<pod namespace>.svc.cluster.local svc.cluster.local cluster.local"
    And the resolv.conf of "pod" sets option "ndots:5"
