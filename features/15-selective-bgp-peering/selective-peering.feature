@lesson-15 @topology:selective-bgp-peering
Feature: Only the nodes labelled for it peer with the top-of-rack router
  Lesson 15: five nodes share VLAN 10, and the switch's listen range would accept any of them,
  but the BGPPeer selects only the nodes labelled bgp-peer=true. Those two advertise the
  LoadBalancer range; the switch routes it through them alone, through both once it may use
  several paths. Labelling another node makes it a BGP speaker; removing the label stops it.

  @claim:L15-01
  Scenario: Five nodes on the router's subnet, two of them labelled to peer
    Then every node is Ready
    And every node's InternalIP is its address on eth1, on a subnet of the router, which it reaches directly
    And exactly 2 worker nodes carry the label "bgp-peer=true"

  @claim:L15-02
  Scenario: The BGPPeer selects the labelled nodes
    Then BGPPeer "bgppeer-arista" peers with the router in AS 65001 for the nodes selected by "bgp-peer == \"true\""

  @claim:L15-03
  Scenario: Only the labelled nodes speak BGP
    Then exactly the nodes labelled "bgp-peer=true" run one Established session to the router, and every other node none

  @claim:L15-04
  Scenario: The router holds the labelled nodes' sessions and receives the LoadBalancer range on each
    Then the router holds one Established session from each node labelled "bgp-peer=true", and from no other
    And the router receives the LoadBalancer range and nothing else from each BGP-speaking node

  @claim:L15-05
  Scenario: The router reaches the LoadBalancer range through the speakers only, through both with several paths
    Then the router routes the LoadBalancer range via exactly one node labelled "bgp-peer=true"
    When the router installs up to 4 equal-cost BGP paths
    Then the router routes the LoadBalancer range via every node labelled "bgp-peer=true", and no other

  @claim:L15-06
  Scenario: A connection from the router reaches nginx through a speaker, which masquerades it
    Then from the router, Service "lb-nginx-service"'s LoadBalancer address answers as nginx, and the nginx pod that took the connection saw it from a BGP-speaking node, not from the router

  @claim:L15-07
  Scenario: Labelling a node makes it a speaker; removing the label stops it
    When a node without a BGP session is labelled "bgp-peer=true", called "newcomer"
    Then the router holds an Established session from "newcomer", which advertises the LoadBalancer range
    When the label "bgp-peer" is removed from "newcomer"
    Then the router holds no session from "newcomer"

  @claim:L15-08
  Scenario: When one speaker's session goes down, the range stays routed via the other and the address reachable
    When the BGP session of one BGP-speaking node goes down, called "lost"
    Then the router routes the LoadBalancer range via the other BGP-speaking nodes, not via "lost"
    And from the router, Service "lb-nginx-service"'s LoadBalancer address answers as nginx

  @claim:L15-09 @live-only:ceos-cli-text
  Scenario: cEOS prints the two speakers in its BGP summary and routes
    Then the router holds one Established session from each node labelled "bgp-peer=true", and from no other
