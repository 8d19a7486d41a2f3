@lesson-16 @topology:static-ip
Feature: IP reservations and static pod IPs
  Lesson 16: an IPReservation keeps a range out of automatic assignment, and a pod asks for
  one fixed address with cni.projectcalico.org/ipAddrs, reserved or not. The address must be
  in a pool and free; the annotation counts only when the pod is created. The cluster has a
  control-plane and one worker, where every pod of the lesson runs.

  Background:
    Given the lesson's IPReservation "reserved-ips" is applied

  @claim:L16-01
  Scenario: The cluster has one IP pool, the Installation's
    Then the IP pools are exactly "default-ipv4-ippool"
    And every pool of the Calico Installation is an IP pool with the settings it declares

  @claim:L16-02
  Scenario: The IPReservation reserves the lesson's range
    Then the IPReservation "reserved-ips" reserves exactly what the lesson's manifest says

  @claim:L16-03
  Scenario: Automatic assignment never hands out a reserved address, not even from the reserved range's own block
    When a pod is created from the lesson's manifest "static-pod", called "static-pod"
    And 9 new pods are created on the node of "static-pod"
    Then no pod without an ipAddrs annotation, and no tunnel address, holds an address reserved by "reserved-ips"

  @claim:L16-04
  Scenario: A pod gets the reserved address it asks for
    When a pod is created from the lesson's manifest "static-pod", called "static-pod"
    Then "static-pod" has the address its ipAddrs annotation asks for, as its IP and on eth0
    And the address "static-pod" asks for is reserved by "reserved-ips"

  @claim:L16-05
  Scenario: Calico's CNI plugin writes the pod's address into its annotations
    When a pod is created from the lesson's manifest "static-pod", called "static-pod"
    Then the annotations of "static-pod" hold its ipAddrs request and Calico's podIP, its IP as a /32

  @claim:L16-06
  Scenario: Another pod on the worker reaches the fixed address in one routed hop
    When a pod is created from the lesson's manifest "static-pod", called "static-pod"
    And a multitool pod on the node of "static-pod", called "dynamic-pod"
    And "dynamic-pod" pings "static-pod" 3 times
    Then every echo request is answered
    And every reply carries TTL 63

  @claim:L16-07
  Scenario: A second pod asking for a taken address gets none and the first keeps it
    When a pod is created from the lesson's manifest "static-pod", called "static-pod"
    And a pod is created from the lesson's manifest "duplicate-pod", called "duplicate-pod"
    Then "duplicate-pod" stays ContainerCreating with no IP
    And "static-pod" has the address its ipAddrs annotation asks for, as its IP and on eth0
    Given a multitool pod on the node of "static-pod", called "dynamic-pod"
    When "dynamic-pod" pings "static-pod" 3 times
    Then every echo request is answered

  @claim:L16-08 @live-only:needs-a-real-kubelet-and-its-events
  Scenario: The kubelet records Calico IPAM's refusal as the pod's event
    When a pod is created from the lesson's manifest "static-pod", called "static-pod"
    And a pod is created from the lesson's manifest "duplicate-pod", called "duplicate-pod"
    Then the events of "duplicate-pod" include "FailedCreatePodSandBox" saying "Address already assigned in block"

  @claim:L16-09
  Scenario: A deleted pod's fixed address is free again and the same manifest gets it back
    When a pod is created from the lesson's manifest "static-pod", called "static-pod"
    And "static-pod" is deleted
    Then the IP of "static-pod" is free again in Calico's IPAM
    When a pod is created from the lesson's manifest "static-pod", called "static-pod-again"
    Then "static-pod-again" has the address its ipAddrs annotation asks for, as its IP and on eth0

  @claim:L16-10
  Scenario: A pod asking for an address outside every pool gets none
    When a pod is created from the lesson's manifest "outside-pool-pod", called "outside-pool-pod"
    Then "outside-pool-pod" stays ContainerCreating with no IP

  @claim:L16-11
  Scenario: The annotation added to a running pod changes nothing
    When a new pod is created on a worker node, called "running"
    And "running" is annotated with the ipAddrs request of the lesson's manifest "static-pod"
    Then "running" keeps the IP it had, on eth0 too
