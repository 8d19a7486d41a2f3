@lesson-22 @topology:ipvlan
Feature: IPvlan L2 and L3 on each node's eth2
  Lesson 22: as lesson 21 with VLAN 30 and ipvlan: the pods' net1 share their node's eth2 MAC,
  in mode l2 or l3. This machine's kernel has no ipvlan, so the embedded lab builds the topology
  and the NADs and no ipvlan interface: the claims about net1 run on a live cluster only.

  @claim:L22-01
  Scenario: Every node's eth2 is up with no address
    Then on every node eth2 is UP with its carrier and holds no IPv4 address

  @claim:L22-02
  Scenario: The NADs vlan30-ipvlan-l2 and vlan30-ipvlan-l3 are the course's
    Then the NetworkAttachmentDefinition "vlan30-ipvlan-l2" exists in namespace "default" with the configuration of the course's manifest
    And the NetworkAttachmentDefinition "vlan30-ipvlan-l3" exists in namespace "default" with the configuration of the course's manifest

  @claim:L22-03 @live-only:needs-kernel-ipvlan
  Scenario: An L2 pod's net1 is an ipvlan in mode l2 with its node's eth2 MAC
    Given a ipvlan-l2-test-pod pod on any node, called "pod"
    Then net1 of "pod" is an ipvlan link in mode l2 on its node's eth2, at its MTU, with one address of the range of "vlan30-ipvlan-l2" and not its gateway
    And net1 of "pod" has its node's eth2 MAC

  @claim:L22-04 @live-only:needs-kernel-ipvlan
  Scenario: An L3 pod's net1 is an ipvlan in mode l3 with its node's eth2 MAC
    Given a ipvlan-l3-test-pod pod on any node, called "pod"
    Then net1 of "pod" is an ipvlan link in mode l3 on its node's eth2, at its MTU, with one address of the range of "vlan30-ipvlan-l3" and not its gateway
    And net1 of "pod" has its node's eth2 MAC

  @claim:L22-05 @live-only:needs-kernel-ipvlan
  Scenario: Every ipvlan net1 shares its node's MAC, and their addresses differ
    Then every pod attached to "vlan30-ipvlan-l2" or "vlan30-ipvlan-l3" has its node's eth2 MAC on net1, and no two net1 addresses are the same

  @claim:L22-06 @live-only:needs-kernel-ipvlan
  Scenario: L2 pods reach the gateway and each other across nodes on VLAN 30
    Given a ipvlan-l2-test-pod pod on any node, called "pod"
    And a ipvlan-l2-pod-1 pod on any node, called "a"
    And a ipvlan-l2-pod-2 pod on any node, called "b"
    When "pod" pings the gateway of "vlan30-ipvlan-l2" 3 times while the eth2 and eth1 of its node are captured
    Then every echo request over net1 is answered with TTL 64
    When "a" pings the net1 address of "b" 3 times while the eth2 and eth1 of its node are captured
    Then every echo request over net1 is answered with TTL 64

  @claim:L22-07 @live-only:needs-kernel-ipvlan
  Scenario: The switch learns only each node's eth2 MAC for the ipvlan pods
    Then the router learns on each node's port only that node's eth2 MAC, and maps the net1 address of every pod attached to "vlan30-ipvlan-l2" or "vlan30-ipvlan-l3" to it

  @claim:L22-08 @live-only:needs-the-course-ceos-switch
  Scenario: cEOS holds one MAC per port with ipvlan pods
    Then the switch's JSON tables for VLAN 30 hold one MAC per port with pods attached to "vlan30-ipvlan-l2" or "vlan30-ipvlan-l3", and map their net1 addresses to their node's eth2 MAC

  @claim:L22-09 @live-only:needs-kernel-ipvlan
  Scenario: Two L3 pods on one node reach each other without crossing eth2
    Given a ipvlan-l3-pod-1 pod on any node, called "a"
    And a ipvlan-l3-pod-2 pod on the node of "a", called "b"
    When "a" pings the net1 address of "b" 3 times while the eth2 and eth1 of its node are captured
    Then every echo request over net1 is answered with TTL 64
    And neither eth2 nor eth1 of the node carried any of the ICMP
