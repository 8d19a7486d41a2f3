@lesson-03 @requires:two-workers
Feature: Pod to pod across nodes
  Between nodes of one subnet, Calico routes natively: the source node sends the packet
  to the node that owns the destination's block, which hands it to the pod. Two routed
  hops, one route per block, and the source address survives the trip.

  Background:
    Given a multitool-1 pod on a worker node, called "source"
    And a multitool-1 pod on another worker node, called "target"

  @claim:L03-07
  Scenario: A cross-node ping is answered after two routed hops
    When "source" pings "target" 3 times
    Then every echo request is answered
    And every reply carries TTL 62

  @claim:L03-08 @requires:native-routing
  Scenario: The source node routes to the remote pod via the destination node
    Then the node of "source" routes the IP of "target" via the other node's InternalIP on eth0

  @claim:L03-09
  Scenario: The destination node routes to its pod through its cali interface
    Then the node of "target" routes its IP straight to its host interface, with no gateway

  @claim:L03-10
  Scenario: The destination sees the source pod's own address across nodes
    When "source" pings "target" 3 times while "target" captures its traffic
    Then the capture shows the echo requests coming from the IP of "source"
    And the capture shows the echo replies going to the IP of "source"

  @claim:L03-11 @requires:native-routing
  Scenario: Nodes route to remote pods by block, not by pod
    Then every node routes to each remote block through its node, with no route to a single remote pod
