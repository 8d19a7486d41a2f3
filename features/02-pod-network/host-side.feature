@lesson-02
Feature: The node's side of a pod
  On the pod's node, Calico keeps the other end of the pod's veth pair, a "cali"
  interface with a fixed MAC and no address, and a host route to the pod through it.
  Calico's datastore records the pair as a workload endpoint.

  Background:
    Given a multitool pod on a worker node, called "pod"

  @claim:L02-09
  Scenario: The node has a host route to the pod through its cali interface
    Then the node of "pod" routes its IP straight to its host interface, with no gateway

  @claim:L02-10
  Scenario: The host interface is named after the pod
    Then the host interface of "pod" is named by Calico's rule

  @claim:L02-11
  Scenario: The host interface is a bare, UP veth end with Calico's MAC
    Then the host interface of "pod" has MAC address "ee:ee:ee:ee:ee:ee"
    And the host interface of "pod" has no IPv4 address
    And the host interface of "pod" is UP
    And the host interface of "pod" has the MTU of its eth0
    And the host interface of "pod" points back at its eth0

  @claim:L02-12
  Scenario: Calico's datastore records the pod as a workload endpoint
    Then Calico's datastore holds a workload endpoint for "pod" with its node, its IP as a /32 and its host interface
