@lesson-01
Feature: natOutgoing
  Lesson 01's pool has natOutgoing: a pod's packets to an address outside every pool leave
  its node with the node's address. Felix masquerades them with one rule per node; packets
  between pods keep their own addresses.

  @claim:L01-08
  Scenario: Every node masquerades only what leaves the pools
    Then every node masquerades traffic from the natOutgoing pools to destinations outside every pool, and only that

  @claim:L01-08
  Scenario: A pod's ping to another node arrives from the pod's node
    Given a multitool-1 pod on a worker node, called "source"
    When "source" pings the InternalIP of another worker node 3 times while that node captures on eth0
    Then the capture shows the echo requests coming from the InternalIP of the node of "source"
