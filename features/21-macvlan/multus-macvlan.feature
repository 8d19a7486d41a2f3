@lesson-21 @topology:macvlan
Feature: A second network with Multus and macvlan
  Lesson 21: each node's eth2 joins the switch's VLAN 20. Multus gives a pod that names the
  NetworkAttachmentDefinition vlan20-macvlan a second interface, net1: a macvlan in bridge mode
  on its node's eth2, with its own MAC and an address Whereabouts hands out from the NAD's range.
  Traffic on VLAN 20 leaves by eth2 from that address and never touches Calico's network.
  The embedded lab runs the reference macvlan plugin with the NAD's own configuration, and
  allocates as Whereabouts does; Multus, Whereabouts and the switch's CLI are live only.

  @claim:L21-01
  Scenario: Every node's eth2 is up with no address, and eth1 holds the node's InternalIP
    Then on every node eth2 is UP with its carrier and holds no IPv4 address
    And every node's InternalIP is its eth1 address

  @claim:L21-02 @live-only:needs-multus
  Scenario: The Multus DaemonSet runs one pod per node
    Then in namespace "kube-system" the pods labelled "app=multus" run one per node, each Running and ready

  @claim:L21-03 @live-only:needs-multus
  Scenario: Multus' configuration is the first file of /etc/cni/net.d
    Then on every node /etc/cni/net.d holds "00-multus.conf, 10-calico.conflist, calico-kubeconfig, multus.d", and "00-multus.conf" sorts first

  @claim:L21-04 @live-only:needs-multus
  Scenario: Multus delegates to Calico's conflist
    Then on every node the Multus configuration "00-multus.conf" has type multus, name "multus-cni-network", kubeconfig "/etc/cni/net.d/multus.d/multus.kubeconfig", and delegates first to "k8s-pod-network" with the plugins "calico, portmap"

  @claim:L21-05 @live-only:needs-multus-and-whereabouts
  Scenario: Every CNI type in use has its binary
    Then on every node /opt/cni/bin holds the executables "multus, calico, calico-ipam, portmap, macvlan, whereabouts"

  @claim:L21-06 @live-only:needs-whereabouts
  Scenario: Whereabouts' CRDs exist
    Then the CustomResourceDefinitions "ippools.whereabouts.cni.cncf.io, overlappingrangeipreservations.whereabouts.cni.cncf.io" exist

  @claim:L21-07
  Scenario: The NAD vlan20-macvlan is the course's
    Then the NetworkAttachmentDefinition "vlan20-macvlan" exists in namespace "default" with the configuration of the course's manifest

  @claim:L21-08
  Scenario: The pod's net1 is a bridge-mode macvlan on eth2 with its own MAC and an address of the range
    Given a macvlan-test-pod pod on any node, called "pod"
    Then eth0 of "pod" holds exactly one IPv4 address, with prefix length /32
    And the address of "pod" lies inside the Calico IP pool
    And the MTU of "pod"'s eth0 is the smallest MTU of its node's up host interfaces less 50 bytes
    And net1 of "pod" is an macvlan link in mode bridge on its node's eth2, at its MTU, with one address of the range of "vlan20-macvlan" and not its gateway
    And net1 of "pod" has a MAC of its own: neither its node's eth2 MAC nor the net1 MAC of another pod attached to "vlan20-macvlan"

  @claim:L21-09
  Scenario: The pod routes only VLAN 20 through net1
    Given a macvlan-test-pod pod on any node, called "pod"
    Then the routing table of "pod" is exactly, with <net1 subnet> and <net1 IP> read from its net1:
      | default via 169.254.1.1 dev eth0                             |
      | 169.254.1.1 dev eth0 scope link                              |
      | <net1 subnet> dev net1 proto kernel scope link src <net1 IP> |

  @claim:L21-10
  Scenario: A ping to the gateway leaves by eth2 from the net1 address, not by eth1
    Given a macvlan-test-pod pod on any node, called "pod"
    When "pod" pings the gateway of "vlan20-macvlan" 3 times while the eth2 and eth1 of its node are captured
    Then every echo request over net1 is answered with TTL 64
    And the echo requests left by eth2 from the net1 address, and eth1 carried none of the ICMP

  @claim:L21-11
  Scenario: The switch learns net1's MAC on the port of the pod's node
    Given a macvlan-test-pod pod on any node, called "pod"
    Then the router answers a ping to the net1 address of "pod", has learnt net1's MAC on the port facing its node's eth2, and maps the address to it

  @claim:L21-12 @live-only:needs-the-course-ceos-switch
  Scenario: cEOS lists net1's MAC on VLAN 20 and maps the address to it
    Given a macvlan-test-pod pod on any node, called "pod"
    Then the switch's JSON tables for VLAN 20 list net1's MAC of "pod" as dynamic on its node's port, map the net1 address to it, and its ping of that address loses nothing

  @claim:L21-13
  Scenario: The DaemonSet's pods get different addresses of the range, one pod per node
    Then the DaemonSet macvlan-test-ds runs one Running pod on every node
    And every macvlan-test-ds pod holds on net1 one address of the range of "vlan20-macvlan", and no two the same

  @claim:L21-14
  Scenario: Pods on different nodes reach each other on VLAN 20, bypassing Calico
    Given a macvlan-test-ds pod on a worker node, called "a"
    And a macvlan-test-ds pod on another worker node, called "b"
    When "a" pings the net1 address of "b" 3 times while the eth2 and eth1 of its node are captured
    Then every echo request over net1 is answered with TTL 64
    And the echo requests left by eth2 from the net1 address, and eth1 carried none of the ICMP
