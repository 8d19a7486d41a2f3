@lesson-07 @topology:calico-bgp
Feature: Calico peers with the top-of-rack router over BGP
  Lesson 07: the nodes sit on VLAN 10 behind a top-of-rack switch. Calico turns the node-to-node
  mesh off and peers every node with the switch, AS 65010 against AS 65001; the switch accepts
  the nodes from a listen range. The only pool has BGP export disabled, so nothing is advertised
  to the switch, while the switch advertises its network to every node.

  @claim:L07-01
  Scenario: The nodes sit on the router's subnet and reach it directly
    Then every node is Ready
    And every node's InternalIP is its address on eth1, on a subnet of the router, which it reaches directly

  @claim:L07-02
  Scenario: BGP runs in the cluster's AS with no node-to-node mesh
    Then the BGP configuration has AS number 65010, the node-to-node mesh off and log severity "Info"

  @claim:L07-03
  Scenario: One BGPPeer names the router for every node
    Then BGPPeer "bgppeer-arista" peers with the router in AS 65001 for the nodes selected by "all()"

  @claim:L07-04
  Scenario: Every node runs one Established session to the router, node specific (Node_10_10_10_1), and no mesh
    Then every node a BGPPeer selects runs one Established session to the router, and every other node none

  @claim:L07-05
  Scenario: The router accepts one session per node from its listen range
    Then the router holds one Established session from each BGP-speaking node

  @claim:L07-06
  Scenario: Nothing is advertised to the router while the pool's BGP export is disabled
    Then the router receives no prefix from any node

  @claim:L07-07
  Scenario: The router advertises its network to every node
    Then the router advertises each BGP-speaking node's subnet to it

  @claim:L07-08 @live-only:ceos-cli-text
  Scenario: cEOS prints the sessions in its BGP summary
    Then the router holds one Established session from each BGP-speaking node
