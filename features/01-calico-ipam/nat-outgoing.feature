@lesson-01
Feature: natOutgoing
  Lesson 01's pool has natOutgoing: a pod's packets to an address outside every pool leave
  its node with the node's address. Felix masquerades them with one rule per node; packets
  between pods keep their own addresses.

  @claim:L01-08
  Scenario: Every node masquerades only what leaves the pools
    Then every node masquerades traffic from the natOutgoing pools to destinations outside every pool, and only that

  # The outside host stands beyond the node network's gateway, as the internet does for a kind
  # cluster; like the internet, it knows no way back to the pods' addresses.
  @claim:L01-08
  Scenario: A pod's ping to a host outside the cluster arrives from the pod's node, and is answered
    Given a multitool-1 pod on a worker node, called "source"
    When "source" pings the outside host 3 times while the outside host captures
    Then the outside host sees the echo requests coming from the InternalIP of the node of "source"
    And the outside host answers "source"

  # The pool is put back as it was after the scenario, also when it fails.
  @claim:L01-09
  Scenario: From a pool without natOutgoing, a pod's ping to a host outside the cluster keeps the pod's address
    Given a multitool-1 pod on a worker node, called "source"
    And natOutgoing is turned off on the pool "source" has its address from
    When "source" pings the outside host 3 times while the outside host captures
    Then the outside host sees the echo requests coming from the IP of "source" itself
