@lesson-02
Feature: The lab cluster and its test pod
  Lesson 02 runs on a Kind cluster of three nodes with Calico as its CNI,
  and inspects the network of one multitool pod.

  @claim:L02-01
  Scenario: The cluster has one control-plane and two workers, all Ready
    Then the cluster has 1 control-plane node and 2 worker nodes
    And every node is Ready

  @claim:L02-02
  Scenario: The multitool test pod is Running with its container ready
    Given a multitool pod on a worker node, called "pod"
    Then "pod" is Running with all its containers ready
