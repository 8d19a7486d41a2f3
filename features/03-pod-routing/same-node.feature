@lesson-03
Feature: Pod to pod on the same node
  Two pods on one node cannot reach each other directly: each packet is routed once,
  by the node, through the destination's host route. Nothing rewrites the addresses.

  Background:
    Given a multitool-1 pod on a worker node, called "source"
    And a multitool-2 pod on the node of "source", called "target"

  @claim:L03-04
  Scenario: A same-node ping is answered after one routed hop
    When "source" pings "target" 3 times
    Then every echo request is answered
    And every reply carries TTL 63

  @claim:L03-05
  Scenario: The node routes to the destination pod through its cali interface
    Then the node of "target" routes its IP straight to its host interface, with no gateway

  @claim:L03-06
  Scenario: The destination sees the source pod's own address
    When "source" pings "target" 3 times while "target" captures its traffic
    Then the capture shows the echo requests coming from the IP of "source"
    And the capture shows the echo replies going to the IP of "source"
