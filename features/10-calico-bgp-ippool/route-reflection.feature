@lesson-10 @topology:calico-bgp-ippool
Feature: The pod pool advertised to a route-reflecting router, with no overlay
  Lesson 10: four nodes on two VLANs peer over iBGP with the top-of-rack switch, which reflects
  each node's block to the others and puts itself in as next hop. The pool has no encapsulation
  and no NAT: pod traffic between nodes is routed by the switch, and the switch reaches pods at
  their own IPs. Block routes carry the community the BGPConfiguration gives the pool's prefix.

  @claim:L10-01
  Scenario: The pool routes natively and is advertised
    Then IP pool "default-ipv4-ippool" routes natively: no encapsulation, no outgoing NAT, BGP export on

  @claim:L10-02
  Scenario: One block per node from the pod pool; the LoadBalancer pool's block is virtual
    Then every node has exactly one BlockAffinity, in the pool "default-ipv4-ippool", besides any LoadBalancer pool
    And the LoadBalancer pool's block belongs to no node: its BlockAffinity is virtual, for load-balancer, named after its CIDR

  @claim:L10-03
  Scenario: BGP advertises the LoadBalancer range and tags the pool's prefix
    Then the BGP configuration has AS number 65010, the node-to-node mesh off and log severity "Info"
    And the BGP configuration advertises the LoadBalancer pool's range and gives the pod pool's prefix the community "65010:100"

  @claim:L10-04
  Scenario: One BGPPeer per VLAN, chosen by the nodes' vlan label
    Then BGPPeer "bgppeer-vlan-10" peers with the router in AS 65010 for the nodes selected by "vlan == '10'"
    And BGPPeer "bgppeer-vlan-20" peers with the router in AS 65010 for the nodes selected by "vlan == '20'"
    And exactly 3 nodes carry the label "vlan=10"
    And exactly 1 nodes carry the label "vlan=20"

  @claim:L10-05
  Scenario: Every node runs one iBGP session, to the router on its own subnet
    Then every node a BGPPeer selects runs one Established session to the router, and every other node none

  @claim:L10-06
  Scenario: The router holds four sessions and receives each node's block and the LoadBalancer range
    Then the router holds one Established session from each BGP-speaking node
    And from every node the router receives exactly the node's own blocks and the LoadBalancer range

  @claim:L10-07
  Scenario: The router routes each block to its node, and the LoadBalancer range through one node
    Then the router routes every pod block to its node
    And the router routes the LoadBalancer range via exactly one BGP-speaking node

  @claim:L10-08
  Scenario: Block routes reach the router with the pool's community
    Then every prefix the router learned carries the communities advertised for it, and no other

  @claim:L10-09
  Scenario: The router reflects the blocks with itself as next hop
    Then every node routes each other node's block via the router's address on its own subnet, and blackholes its own, by BIRD

  @claim:L10-11
  Scenario: Pod traffic between subnets is routed by the router, unencapsulated
    Given a multitool-1 pod on a worker node, called "source"
    And a multitool-1 pod on a worker node in another subnet, called "target"
    When "source" pings "target" 3 times while the eth1 of the node of "source" is captured
    Then every echo request is answered
    And every reply carries TTL 61
    And the capture shows the ping as plain ICMP between the pods and no UDP on port 4789

  @claim:L10-12
  Scenario: Pod traffic between nodes of one subnet crosses the router
    Given a multitool-1 pod on a worker node, called "source"
    And a multitool-1 pod on another worker node, called "target"
    When "source" pings "target" 3 times
    Then every echo request is answered
    And every reply carries TTL 61

  @claim:L10-13
  Scenario: The router reaches pods at their own IPs
    Given a multitool-1 pod on any node, called "pod"
    Then the router pings "pod" and every reply comes from its IP with TTL 63

  @claim:L10-10 @live-only:calico-node-status-needs-calico-node
  Scenario: CalicoNodeStatus reports the reflected routes
    Then every node routes each other node's block via the router's address on its own subnet, and blackholes its own, by BIRD

  @claim:L10-14 @live-only:ceos-cli-text
  Scenario: cEOS prints four sessions with two prefixes each
    Then the router holds one Established session from each BGP-speaking node
